import { Redis } from 'ioredis';

/**
 * Deletes every key of one bench run: the registry, the hand-off stream and the BullMQ queues all
 * live under the run's fresh CP_REDIS_PREFIX. Rule-evaluation jobs in particular pile up there
 * (one per 1,000 readings, with no alerts consumer yet), and would otherwise stay in Redis forever.
 * On a Redis Cluster pass every master's URL: each holds its share of the keys, and keys carry
 * the prefix inside a hash tag (`{prefix:group}:…`), hence the match on `*prefix:*`.
 */
export async function deleteRedisPrefix(urls: string | readonly string[], prefix: string): Promise<number> {
  // A prefix this short could match another deployment's keys; bench prefixes are long and unique.
  if (!/^bench\w{8,}$/.test(prefix)) throw new Error(`refusing to delete keys of a non-bench prefix: ${prefix}`);
  let deleted = 0;
  for (const url of typeof urls === 'string' ? [urls] : urls) deleted += await deleteOnNode(url, prefix);
  return deleted;
}

async function deleteOnNode(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      // One key per UNLINK: a cluster node refuses a multi-key command over several hash slots.
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.unlink(key);
      for (const [err, n] of (await pipeline.exec()) ?? []) if (!err) deleted += Number(n);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
