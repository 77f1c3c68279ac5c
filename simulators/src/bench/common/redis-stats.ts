import { Redis } from 'ioredis';

/** A Redis server holding data: the one Redis, or one master of a cluster. */
export interface RedisNode {
  host: string;
  port: number;
  url: string;
}

/** Calls per command (INFO commandstats), summed over the nodes read. */
export type CommandCalls = Map<string, number>;

/** The commands that put a message on Redis pub/sub: classic and sharded. */
export const PUBSUB_COMMANDS = ['publish', 'spublish'] as const;

/** The one Redis at `url` as a node list. */
export function singleNode(url: string): RedisNode[] {
  const u = new URL(url);
  return [{ host: u.hostname, port: Number(u.port || 6379), url }];
}

/** Every master of the Redis Cluster, asked of the first seed that answers (CLUSTER NODES). */
export async function clusterMasters(seeds: readonly string[]): Promise<RedisNode[]> {
  const errors: string[] = [];
  for (const seed of seeds) {
    const redis = new Redis(`redis://${seed}`, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      retryStrategy: () => null,
    });
    try {
      await redis.connect();
      const masters = parseClusterNodes(String(await redis.call('CLUSTER', 'NODES')));
      if (masters.length === 0) throw new Error('no master in CLUSTER NODES');
      return masters;
    } catch (err) {
      errors.push(`${seed}: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
  throw new Error(
    `no Redis Cluster at ${seeds.join(',')} (start one with: npm run stack -- up redis-cluster): ${errors.join('; ')}`,
  );
}

/** The masters (not failed) of a CLUSTER NODES reply: `<id> <ip:port@cport[,hostname]> <flags> …`. */
export function parseClusterNodes(text: string): RedisNode[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter((f) => f.length >= 3 && f[2].split(',').includes('master') && !f[2].includes('fail'))
    .map((f) => {
      const address = f[1].split('@')[0];
      const colon = address.lastIndexOf(':');
      const host = address.slice(0, colon);
      const port = Number(address.slice(colon + 1));
      return { host, port, url: `redis://${host}:${port}` };
    })
    .sort((a, b) => a.port - b.port);
}

/** `cmdstat_<name>:calls=<n>,usec=…` lines of INFO commandstats → calls per command. */
export function parseCommandStats(info: string): CommandCalls {
  const calls: CommandCalls = new Map();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1], Number(match[2]));
  return calls;
}

/** INFO commandstats of every node, summed per command. */
export async function readCommandCalls(nodes: readonly RedisNode[]): Promise<CommandCalls> {
  const total: CommandCalls = new Map();
  await Promise.all(
    nodes.map(async (node) => {
      const redis = new Redis(node.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        for (const [command, n] of parseCommandStats(await redis.info('commandstats')))
          total.set(command, (total.get(command) ?? 0) + n);
      } finally {
        redis.disconnect();
      }
    }),
  );
  return total;
}

export interface CommandDelta {
  total: number;
  /** PUBLISH + SPUBLISH calls: messages put on pub/sub. */
  pubsubMessages: number;
  byCommand: Record<string, number>;
}

/**
 * Calls made between two readings. The bench's own INFO calls are left out; a counter that went
 * down (CONFIG RESETSTAT, a restarted node) counts its later value whole.
 */
export function commandDelta(before: CommandCalls, after: CommandCalls): CommandDelta {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [command, n] of after) {
    if (command === 'info') continue;
    const was = before.get(command) ?? 0;
    const delta = n >= was ? n - was : n;
    if (delta === 0) continue;
    byCommand[command] = delta;
    total += delta;
  }
  const pubsubMessages = PUBSUB_COMMANDS.reduce((sum, c) => sum + (byCommand[c] ?? 0), 0);
  const sorted = Object.fromEntries(Object.entries(byCommand).sort((a, b) => b[1] - a[1]));
  return { total, pubsubMessages, byCommand: sorted };
}
