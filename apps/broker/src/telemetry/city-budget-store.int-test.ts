import { Redis } from 'ioredis';
import { createServer } from 'node:net';
import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, freePort, testConfig, testRedis } from '@citypulse/testing';
import { CityBudgetStore } from './city-budget-store.js';
import { CityRateLimiter } from './city-rate-limiter.js';

/** The shared per-city bucket script on a real Redis and on a Redis Cluster (one key, one slot per city). */
describe.each(REDIS_FLAVOURS)('CityBudgetStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let store: CityBudgetStore;

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    store = new CityBudgetStore(redis, config.redis.prefix);
  });
  afterAll(async () => {
    redis.disconnect();
    await flushPrefix(config);
  });

  // One reading a second: capacity one reading, holds up to 2 s, so at most 3 readings at once.
  const slow = { intervalMs: 1000, burstMs: 1000, maxHoldMs: 2000 };

  it('grants no more than is paid for within the longest hold, then nothing until the bucket refills', async () => {
    const first = await store.take('oneps', slow, 10);
    expect(first.readings).toBe(3);
    // Reading i of the grant is paid for at −1 s + i s: the first at once, the third 2 s on.
    expect(first.paidFromOffsetMs).toBeCloseTo(-1000, -1);
    const second = await store.take('oneps', slow, 10);
    expect(second.readings).toBe(0);
    // Within a second (less the time between the two calls) the bucket has paid for one more.
    expect(second.retryInMs).toBeGreaterThan(0);
    expect(second.retryInMs).toBeLessThanOrEqual(1000);
  });

  it('keeps each city in its own key under its own hash tag, expiring once the bucket is full again', async () => {
    await store.take('tagged', slow, 1);
    const key = store.key('tagged');
    expect(key).toBe(`{${config.redis.prefix}:rate:tagged}`);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
  });

  it('gives two brokers one budget: together they spend the city’s capacity once', async () => {
    const settings = { readingsPerS: 100, overrides: {}, maxHoldMs: 0, blockMs: 50 };
    const brokers = [new CityRateLimiter(settings, store), new CityRateLimiter(settings, store)];
    let accepted = 0;
    // 300 single readings offered at once, alternating brokers; no holds allowed, so only the
    // bucket's capacity (100) plus what refills meanwhile goes through.
    const startedAt = Date.now();
    for (let i = 0; i < 300; i++) if ((await brokers[i % 2].take('shared', 1)).kind !== 'shed') accepted++;
    const elapsedS = (Date.now() - startedAt) / 1000;
    expect(accepted).toBeGreaterThanOrEqual(90);
    expect(accepted).toBeLessThanOrEqual(100 * (1 + elapsedS) + 2 * 5);
  });

  it('decides without Redis while the city has readings in hand, and only then', async () => {
    const limiter = new CityRateLimiter({ readingsPerS: 1000, overrides: {}, maxHoldMs: 0, blockMs: 10 }, store);
    // Nothing in hand yet: the publish must wait for a block.
    expect(limiter.decideNow('inhand', 1)).toBeUndefined();
    expect(await limiter.take('inhand', 1)).toEqual({ kind: 'now' });
    // A block of 10: the other 9 are decided on the spot, the 11th needs Redis again.
    for (let i = 0; i < 9; i++) expect(limiter.decideNow('inhand', 1)).toEqual({ kind: 'now' });
    expect(limiter.decideNow('inhand', 1)).toBeUndefined();
  });

  it('sheds none of many publishes waiting for blocks at once while the city has budget left', async () => {
    // Blocks of one reading, 60 publishes at once: they wait together and ask for what they all need.
    const limiter = new CityRateLimiter({ readingsPerS: 100, overrides: {}, maxHoldMs: 1000, blockMs: 10 }, store);
    const decisions = await Promise.all(Array.from({ length: 60 }, () => limiter.take('crowded', 1)));
    expect(decisions.filter((d) => d.kind === 'shed')).toEqual([]);
    // Then, beyond capacity and the longest hold (100 + 100), it sheds.
    const more = await Promise.all(Array.from({ length: 200 }, () => limiter.take('crowded', 1)));
    expect(more.filter((d) => d.kind === 'shed').length).toBeGreaterThan(0);
  });

  it('falls back to a bucket of its own while Redis does not answer, still limiting the city', async () => {
    // Nothing listens on this port: every block request fails or times out.
    const unreachable = new Redis({
      host: '127.0.0.1',
      port: await freePort(),
      maxRetriesPerRequest: 1,
      retryStrategy: () => 100,
    });
    unreachable.on('error', () => undefined);
    try {
      const limiter = new CityRateLimiter(
        { readingsPerS: 10, overrides: {}, maxHoldMs: 1000, blockMs: 50 },
        new CityBudgetStore(unreachable, config.redis.prefix),
      );
      const decisions: string[] = [];
      for (let i = 0; i < 11; i++) decisions.push((await limiter.take('offline', 1)).kind);
      // One second of the rate at once, then back-pressure, as on a broker alone: nothing shed for want of Redis.
      expect(decisions).toEqual([...Array(10).fill('now'), 'hold']);
    } finally {
      unreachable.disconnect();
    }
  });
});

describe('CityRateLimiter with a Redis that never answers', () => {
  it('keeps one deadline per block request, however many publishes wait on it, then limits on its own', async () => {
    // Accepts connections and never replies: every block request stays unanswered.
    const silent = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    const redis = new Redis({ host: '127.0.0.1', port, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    redis.on('error', () => undefined);
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    try {
      const limiter = new CityRateLimiter(
        { readingsPerS: 100, overrides: {}, maxHoldMs: 1000, blockMs: 10 },
        new CityBudgetStore(redis, 'silent-test'),
      );
      const before = timers();
      const waiting = Promise.all(Array.from({ length: 50 }, () => limiter.take('quiet', 1)));
      // One timer for the one request (not one per publish), whatever ioredis keeps of its own.
      expect(timers() - before).toBeLessThan(5);
      const decisions = await waiting;
      expect(decisions.filter((d) => d.kind === 'shed')).toEqual([]);
    } finally {
      redis.disconnect();
      silent.close();
    }
  });
});
