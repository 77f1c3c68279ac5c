import { Redis } from 'ioredis';
import type { AppConfig } from '@citypulse/config';

/** Deletes every key of a test's prefix (and the BullMQ queues under it), hash-tagged ones (`{<prefix>:…}…`) too. */
export async function flushPrefix(config: AppConfig): Promise<void> {
  const redis = new Redis(config.redis.url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  try {
    for (const pattern of [`${config.redis.prefix}:*`, `{${config.redis.prefix}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
