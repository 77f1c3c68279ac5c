import type { HandoffDurability } from '@citypulse/handoff';
import { PrivateRedis, PrivateRedisCluster, waitFor } from '@citypulse/testing';
import { Redis } from 'ioredis';
import type { Cleanup } from '../common/cleanup.js';

/** One redis-server of a pass, for the report and the CPU watch. */
export interface LevelServer {
  port: number;
  pid?: number;
  appendfsync: 'always' | 'everysec';
  replicaOf?: number;
}

/** The redis-servers of one durability pass. */
export interface LevelRedis {
  /** CP_REDIS_URL and CP_REDIS_CLUSTER_NODES of the service. */
  env: { CP_REDIS_URL: string; CP_REDIS_CLUSTER_NODES: string };
  /** The servers the service writes to (every master): the run's keys and the WAIT counts are there. */
  masterUrls: string[];
  /** Name → server: `master :<port>`, `replica :<port>`. */
  servers: Record<string, LevelServer>;
}

export type DurabilityRedis = 'single' | 'cluster';

/**
 * Private redis-servers set up as a level needs them, so the stack's shared Redis is never
 * reconfigured and every level starts from empty servers with the same settings but the one that
 * differs: AOF fsync every second (`everysec`), fsync on every write (`always`), or each master
 * with one replica, all fsyncing every second (`replica`: the PUBACK waits for the replica's
 * receipt). `cluster`: three masters in a Redis Cluster (plus a replica each at `replica`); the
 * brokers' MQTT state (used only with CP_MQTT_CLUSTER=redis) stays on `mqttRedisUrl`. Data
 * under `dir`; the servers are stopped by their pid on `cleanup` (their data removed unless `keep`).
 */
export async function startLevelRedis(
  o: { level: HandoffDurability; redis: DurabilityRedis; dir: string; keep: boolean; mqttRedisUrl: string },
  cleanup: Cleanup,
): Promise<LevelRedis> {
  const appendfsync = o.level === 'always' ? 'always' : 'everysec';
  const replicas = o.level === 'replica' ? 1 : 0;
  if (o.redis === 'cluster') {
    const cluster = await PrivateRedisCluster.create({ replicasPerMaster: replicas, appendfsync, parentDir: o.dir });
    cleanup.add(`stop Redis Cluster (${o.level})`, () => (o.keep ? cluster.stop() : cluster.destroy()));
    await cluster.start();
    const servers: LevelRedis['servers'] = {};
    const masterUrls: string[] = [];
    await forEachNode(cluster.ports, async (port, info) => {
      const replicaOf = /^role:slave/m.test(info) ? Number(/^master_port:(\d+)/m.exec(info)?.[1]) : undefined;
      servers[`${replicaOf ? 'replica' : 'master'} :${port}`] = {
        port,
        pid: cluster.pids[cluster.ports.indexOf(port)],
        appendfsync,
        replicaOf,
      };
      if (!replicaOf) masterUrls.push(`redis://127.0.0.1:${port}`);
    });
    if (replicas > 0) for (const url of masterUrls) await replicaOnline(Number(new URL(url).port));
    return { env: { CP_REDIS_URL: o.mqttRedisUrl, CP_REDIS_CLUSTER_NODES: cluster.nodes }, masterUrls, servers };
  }
  const servers: LevelRedis['servers'] = {};
  const start = async (replicaOf?: number) => {
    const server = await PrivateRedis.create({ appendfsync, replicaOf, parentDir: o.dir });
    const name = `${replicaOf ? 'replica' : 'master'} :${server.port}`;
    cleanup.add(`stop ${name} (${o.level})`, () => (o.keep ? server.stop() : server.destroy()));
    await server.start();
    servers[name] = { port: server.port, pid: server.pid, appendfsync, replicaOf };
    return server;
  };
  const master = await start();
  if (replicas > 0) {
    await start(master.port);
    await replicaOnline(master.port);
  }
  return { env: { CP_REDIS_URL: master.url, CP_REDIS_CLUSTER_NODES: '' }, masterUrls: [master.url], servers };
}

/** INFO replication of each node, one at a time. */
async function forEachNode(
  ports: readonly number[],
  visit: (port: number, replicationInfo: string) => Promise<unknown> | void,
): Promise<void> {
  for (const port of ports) {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    try {
      await visit(port, await redis.info('replication'));
    } finally {
      redis.disconnect();
    }
  }
}

/** The broker refuses to start at `replica` until each master counts a connected replica. */
async function replicaOnline(masterPort: number): Promise<void> {
  const redis = new Redis(masterPort, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    await waitFor(
      () => redis.info('replication'),
      (info) => /^connected_slaves:[1-9]/m.test(info) && /state=online/.test(info),
      { timeoutMs: 30_000, what: `a replica online at the Redis on port ${masterPort}` },
    );
  } finally {
    redis.disconnect();
  }
}
