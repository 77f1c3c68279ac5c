import type { HandoffDurability } from '@citypulse/handoff';
import { PrivateRedis, waitFor } from '@citypulse/testing';
import { Redis } from 'ioredis';
import type { Cleanup } from './cleanup.js';

/** The redis-servers of one durability pass: the one the service uses, and its replica at `replica`. */
export interface LevelRedis {
  url: string;
  /** Name → server, for the report and the CPU watch (`redis` is the one the service writes to). */
  servers: Record<string, { port: number; pid?: number; appendfsync: 'always' | 'everysec'; replicaOf?: number }>;
}

/**
 * Private redis-servers set up as a level needs them, so the stack's shared Redis is never
 * reconfigured and every level starts from an empty server with the same settings but the one
 * that differs: AOF fsync every second (`everysec`), fsync on every write (`always`), or a master
 * with one replica, both fsyncing every second (`replica`: the PUBACK waits for the replica's
 * receipt). Data under `dir`; the servers are stopped by their pid on `cleanup` (their data
 * removed unless `keep`).
 */
export async function startLevelRedis(level: HandoffDurability, dir: string, keep: boolean, cleanup: Cleanup): Promise<LevelRedis> {
  const appendfsync = level === 'always' ? 'always' : 'everysec';
  const start = async (name: string, replicaOf?: number) => {
    const server = await PrivateRedis.create({ appendfsync, replicaOf, parentDir: dir });
    cleanup.add(`stop ${name} (${level})`, () => (keep ? server.stop() : server.destroy()));
    await server.start();
    return server;
  };
  const master = await start('redis');
  const servers: LevelRedis['servers'] = { redis: { port: master.port, pid: master.pid, appendfsync } };
  if (level === 'replica') {
    const replica = await start('redis replica', master.port);
    servers['redis replica'] = { port: replica.port, pid: replica.pid, appendfsync, replicaOf: master.port };
    // The broker refuses to start at `replica` until the master counts a connected replica.
    await masterSeesReplica(master.port);
  }
  return { url: master.url, servers };
}

async function masterSeesReplica(port: number): Promise<void> {
  const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    await waitFor(() => redis.info('replication'), (info) => /^connected_slaves:[1-9]/m.test(info) && /state=online/.test(info), { timeoutMs: 30_000, what: `a replica online at the Redis on port ${port}` });
  } finally {
    redis.disconnect();
  }
}
