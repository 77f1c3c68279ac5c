import type { RedisClient } from '@citypulse/redis';
import { deviceDeliveryChannel, type DeviceDeliveryNotice } from '@citypulse/contracts';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis, waitFor } from '@citypulse/testing';
import type { AppConfig } from '@citypulse/config';
import { ShadowStore } from './shadow-store.js';

describe.each(REDIS_FLAVOURS)('ShadowStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let subscriber: RedisClient;
  let store: ShadowStore;
  const notices: DeviceDeliveryNotice[] = [];

  beforeAll(async () => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    subscriber = testRedis(config, 'test-sub');
    store = new ShadowStore(redis, config.redis.prefix);
    await subscriber.subscribe(deviceDeliveryChannel(config.redis.prefix));
    subscriber.on('message', (_channel: string, message: string) => notices.push(JSON.parse(message)));
  });
  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await flushPrefix(config);
  });

  it('is empty at version 0 for a device that never had one', async () => {
    expect(await store.get('nobody')).toEqual({
      deviceId: 'nobody',
      desired: {},
      reported: {},
      delta: {},
      desiredVersion: 0,
      reportedVersion: 0,
    });
  });

  it('merges partial desired updates, removes keys set to null, counts versions and announces each change', async () => {
    await store.setDesired('dev-a', { reporting_interval_s: 30, mode: 'cool' });
    const second = await store.setDesired(
      'dev-a',
      { mode: null, setpoint_temp: 21.5 },
      { at: new Date('2030-01-01T00:00:00Z') },
    );
    expect(second).toEqual({
      ok: true,
      shadow: expect.objectContaining({
        desired: { reporting_interval_s: 30, setpoint_temp: 21.5 },
        desiredVersion: 2,
        desiredAt: '2030-01-01T00:00:00.000Z',
      }),
    });
    await waitFor(
      () => notices.filter((n) => n.deviceId === 'dev-a' && n.kind === 'config').length,
      (n) => n === 2,
      { what: 'two config notices' },
    );
  });

  it('refuses a desired update made against an older version, changing nothing', async () => {
    await store.setDesired('dev-b', { reporting_interval_s: 30 });
    expect(await store.setDesired('dev-b', { reporting_interval_s: 10 }, { expectedVersion: 0 })).toEqual({
      ok: false,
      currentVersion: 1,
    });
    expect(await store.setDesired('dev-b', { reporting_interval_s: 15 }, { expectedVersion: 1 })).toMatchObject({
      ok: true,
      shadow: { desiredVersion: 2 },
    });
    expect((await store.get('dev-b')).desired).toEqual({ reporting_interval_s: 15 });
  });

  it('keeps reported state apart from desired and shows what is still to apply as the delta', async () => {
    await store.setDesired('dev-c', { reporting_interval_s: 30, display_enabled: false });
    expect(await store.report('dev-c', { reporting_interval_s: 60, co2_alarm_ppm: 1000 })).toBe(1);
    expect(await store.get('dev-c')).toMatchObject({
      reported: { reporting_interval_s: 60, co2_alarm_ppm: 1000 },
      delta: { reporting_interval_s: 30, display_enabled: false },
    });
    await store.report('dev-c', { reporting_interval_s: 30, display_enabled: false });
    expect(await store.get('dev-c')).toMatchObject({ delta: {}, reportedVersion: 2, reportedAt: expect.any(String) });
  });
});
