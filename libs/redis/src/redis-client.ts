import { Cluster, Redis, type ClusterOptions } from 'ioredis';
import type { AppConfig } from '@citypulse/config';
import { slotMapWatch } from './slot-map-watch.js';

/** A connection to Redis: one server, or a Redis Cluster (CP_REDIS_CLUSTER_NODES). Every store takes this. */
export type RedisClient = Redis | Cluster;

/**
 * Opens a Redis connection named `<instance>:<name>` (visible in CLIENT LIST): a `Cluster` when
 * CP_REDIS_CLUSTER_NODES is set, else one `Redis` at CP_REDIS_URL. Commands are auto-pipelined.
 * A cluster connection reads from and writes to masters only (`scaleReads: 'master'`), so a
 * reader never sees a replica lagging behind what it just wrote; SUBSCRIBE on it works
 * (classic pub/sub is broadcast to every node of a cluster).
 */
export function connectRedis(config: AppConfig, name: string): RedisClient {
  const connectionName = `${config.instanceId}:${name}`;
  if (config.redis.clusterNodes.length === 0)
    return new Redis(config.redis.url, { connectionName, enableAutoPipelining: true });
  return openCluster(
    config.redis.clusterNodes,
    { ...clusterOptions(connectionName), enableAutoPipelining: true },
    config.redis.clusterRefreshMs,
    'probe',
  );
}

/**
 * A cluster connection whose slot map the process's SlotMapWatch keeps fresh every `slotsRefreshMs`
 * (ioredis' own periodic re-read is off, see slot-map-watch.ts). `probe`: it may carry the check
 * (a connection that never blocks); BullMQ's connections are followers.
 */
export function openCluster(
  nodes: ReadonlyArray<{ host: string; port: number }>,
  options: ClusterOptions,
  slotsRefreshMs: number,
  role: 'probe' | 'follower',
): Cluster {
  const cluster = new Cluster([...nodes], options);
  slotMapWatch(slotsRefreshMs).add(cluster, role);
  return cluster;
}

/** Options of every cluster connection citypulse opens (also BullMQ's, see bull.ts). */
export function clusterOptions(connectionName: string, redisOptions: Record<string, unknown> = {}) {
  return {
    scaleReads: 'master' as const,
    // A restarted or failed-over master answers MOVED/CLUSTERDOWN for a moment: retry instead of failing the command.
    retryDelayOnClusterDown: 200,
    retryDelayOnFailover: 200,
    // A master restarting in place: reconnect to it, commands for its slots waiting meanwhile (up to
    // ioredis' 20 retries per request, ~15 s). By default ioredis drops a lost node from its pool
    // and waits for a MOVED to look again; an auto-pipeline with keys of several slots never
    // follows MOVED (each key's redirect differs), so that node's slots failed for good: hand-off
    // leases on it could be neither renewed nor taken back.
    clusterNodeRetryStrategy: (attempt: number) => Math.min(100 * attempt, 1000),
    // No periodic slot-map re-read per connection: each opens a fresh connection to a node; the
    // process's SlotMapWatch checks once every CP_REDIS_CLUSTER_REFRESH_MS for all of them.
    slotsRefreshInterval: 0,
    redisOptions: { connectionName, ...redisOptions },
  };
}

/** True when `redis` is a cluster connection (SCAN and INFO must then go to every master). */
export function isCluster(redis: RedisClient): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/**
 * The servers holding data: every master of a cluster (once the cluster connection knows them), or
 * the one server. For what runs per server rather than per key: SCAN, INFO, DBSIZE.
 */
export async function dataNodes(redis: RedisClient): Promise<Redis[]> {
  if (!isCluster(redis)) return [redis];
  if (redis.status !== 'ready')
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      redis.once('end', () => reject(new Error('Redis Cluster connection ended before it was ready')));
    });
  return redis.nodes('master');
}
