import { Redis } from 'ioredis';

/**
 * Deletes every key of one bench run: the registry, the hand-off stream and the BullMQ queues all
 * live under the run's fresh CP_REDIS_PREFIX. Rule-evaluation jobs in particular pile up there
 * (one per 1,000 readings, with no alerts consumer yet), and would otherwise stay in Redis forever.
 */
export async function deleteRedisPrefix(url: string, prefix: string): Promise<number> {
  // A prefix this short could match another deployment's keys; bench prefixes are long and unique.
  if (!/^bench\w{8,}$/.test(prefix)) throw new Error(`refusing to delete keys of a non-bench prefix: ${prefix}`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
