import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import { ConnectLimiter } from './connect-limiter.js';

/**
 * The failed-CONNECT counters on one Redis and on a Redis Cluster (address and device counters lie in different slots
 * there).
 */
describe.each(REDIS_FLAVOURS)('ConnectLimiter on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
  });
  afterAll(async () => {
    redis.disconnect();
    await flushPrefix(config);
  });

  it('limits an address and a device id separately, each within its window', async () => {
    const limiter = new ConnectLimiter(redis, config.redis.prefix, { windowS: 60, maxPerAddress: 3, maxPerDevice: 2 });
    await limiter.recordFailure('10.0.0.1', 'dev-a');
    expect(await limiter.check('10.0.0.1', 'dev-a')).toEqual({ address: false, device: false });
    await limiter.recordFailure('10.0.0.2', 'dev-a');
    expect(await limiter.check('10.0.0.3', 'dev-a')).toEqual({ address: false, device: true });
    await limiter.recordFailure('10.0.0.1', undefined);
    await limiter.recordFailure('10.0.0.1', undefined);
    expect(await limiter.check('10.0.0.1', 'dev-b')).toEqual({ address: true, device: false });
  });
});
