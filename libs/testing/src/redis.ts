import type { AppConfig } from '@citypulse/config';
import { connectRedis, dataNodes, type RedisClient } from '@citypulse/redis';

/**
 * Deletes every key of a test's prefix (and the BullMQ queues under it): keys named `<prefix>:…`
 * and hash-tagged ones `{<prefix>:group}…`, on every master of a cluster. One UNLINK per key, since
 * on a cluster the keys of one node may still lie in different slots.
 */
export async function flushPrefix(config: AppConfig): Promise<void> {
  const redis = connectRedis(config, 'test-flush');
  try {
    for (const node of await dataNodes(redis)) {
      for (const pattern of [`${config.redis.prefix}:*`, `{${config.redis.prefix}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await Promise.all(keys.map((key) => node.unlink(key)));
        } while (cursor !== '0');
      }
    }
  } finally {
    redis.disconnect();
  }
}

/** Every key matching a glob pattern, over every master of a cluster (KEYS/SCAN ask one server). */
export async function keysMatching(redis: RedisClient, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of await dataNodes(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return found.sort();
}
