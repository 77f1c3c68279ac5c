import type { FeedDevice } from '@citypulse/contracts';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import type { RedisClient } from '@citypulse/redis';
import { RuleJobFeeds } from './rule-job-feeds.js';

const meter = (deviceId: string, times: number[], values: string): FeedDevice => ({
  deviceId,
  deviceType: 'electricity-meter',
  city: 'tianjin',
  site: 'tj-1',
  fields: ['voltage', 'frequency'],
  times,
  values,
});

describe.each(REDIS_FLAVOURS)('rule job feeds beside their jobs, on $name', ({ env }) => {
  const config = testConfig(env());
  let redis: RedisClient;
  beforeAll(() => (redis = testRedis(config)));
  afterAll(async () => {
    await flushPrefix(config);
    redis.disconnect();
  });

  it('gives back the readings a job was queued with, until they were evaluated', async () => {
    const feeds = new RuleJobFeeds(redis, config.redis.prefix);
    const feedKey = await feeds.put([
      meter('m-1', [1000, 2000], '[[230.1,50],[231,null]]'),
      meter('m-2', [1500], '[[229,49.9]]'),
    ]);
    const job = { feedKey, after: [] };
    const ref = { deviceType: 'electricity-meter', city: 'tianjin', site: 'tj-1' };
    expect(await feeds.readings(job)).toEqual([
      {
        deviceId: 'm-1',
        ...ref,
        readings: [
          [1000, { voltage: 230.1, frequency: 50 }],
          [2000, { voltage: 231 }],
        ],
      },
      { deviceId: 'm-2', ...ref, readings: [[1500, { voltage: 229, frequency: 49.9 }]] },
    ]);
    // Written with a TTL: a feed whose job never came does not stay for ever.
    expect(await redis.pttl(feedKey)).toBeGreaterThan(6 * 24 * 3600 * 1000);
    await feeds.evaluated(job);
    expect(await redis.exists(feedKey)).toBe(0);
    expect(await feeds.readings(job)).toBeUndefined();
  });

  it('keeps evaluated readings for a look when asked to', async () => {
    const feeds = new RuleJobFeeds(redis, config.redis.prefix, 120);
    const job = { feedKey: await feeds.put([meter('m-3', [1], '[[230,50]]')]) };
    await feeds.evaluated(job);
    const ttl = await redis.ttl(job.feedKey);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(120);
    expect(await feeds.readings(job)).toHaveLength(1);
  });

  it('reads a job queued with its readings inside, as before feeds had keys', async () => {
    const feeds = new RuleJobFeeds(redis, config.redis.prefix);
    const job = { feed: [meter('m-4', [7], '[[230,50]]')] };
    expect(await feeds.readings(job)).toEqual([
      {
        deviceId: 'm-4',
        deviceType: 'electricity-meter',
        city: 'tianjin',
        site: 'tj-1',
        readings: [[7, { voltage: 230, frequency: 50 }]],
      },
    ]);
    await feeds.evaluated(job); // nothing to delete, no error
  });
});
