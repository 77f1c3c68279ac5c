import type { RedisClient } from '@citypulse/redis';
import type { AppConfig } from '@citypulse/config';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import { JobStore } from './job-store.js';
import type { JobSpec } from './job.js';

const spec = (city: string): JobSpec => ({
  name: 'reboot',
  payload: { kind: 'command', name: 'reboot', params: {} },
  selection: { city },
  rollout: { initialCount: 2, ratePerMinute: 60 },
  abortFailurePercent: 10,
  successPercent: 100,
  deviceTimeoutS: 30,
  deadlineMs: Date.now() + 60_000,
  createdBy: 'admin',
});

/** The job scripts against the real Redis and a Redis Cluster (every key of a script under the job's tag). */
describe.each(REDIS_FLAVOURS)('JobStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let store: JobStore;

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    store = new JobStore(redis, config.redis.prefix);
  });
  afterAll(async () => {
    redis.disconnect();
    await flushPrefix(config);
  });

  it('releases devices in order once, moves their states with the counters, and skips the rest when the job ends', async () => {
    const job = await store.create(
      '11111111-1111-4111-8111-111111111111',
      spec('beijing'),
      ['d-1', 'd-2', 'd-3', 'd-4'],
      new Date(),
    );
    expect(job).toMatchObject({ state: 'running', total: 4, released: 0, counts: { queued: 4 } });
    const now = Date.now();
    expect(
      await store.advance(job.id, { expectReleased: 0, count: 2, credit: 0, nowMs: now, rateStarted: false }),
    ).toEqual(['d-1', 'd-2']);
    // A tick that read the cursor before it moved takes nothing.
    expect(
      await store.advance(job.id, { expectReleased: 0, count: 2, credit: 0, nowMs: now, rateStarted: false }),
    ).toEqual([]);
    expect(
      await store.moveDevice(job.id, 'd-1', {
        from: ['dispatching'],
        to: 'in-progress',
        untilMs: now + 1000,
        detail: { commandId: 'c-1' },
      }),
    ).toBe(true);
    expect(await store.moveDevice(job.id, 'd-1', { from: ['dispatching'], to: 'waiting' })).toBe(false);
    expect(
      await store.moveDevice(job.id, 'd-1', {
        from: ['in-progress'],
        to: 'succeeded',
        detail: { commandId: 'c-1', error: undefined },
      }),
    ).toBe(true);
    expect((await store.inFlight(job.id)).map((d) => [d.deviceId, d.state])).toEqual([['d-2', 'dispatching']]);

    expect(await store.moveJob(job.id, 'paused', ['running'])).toEqual({ moved: true, state: 'paused' });
    expect(
      await store.advance(job.id, { expectReleased: 2, count: 1, credit: 0, nowMs: now, rateStarted: true }),
    ).toEqual([]);
    expect(await store.moveJob(job.id, 'cancelled', ['running', 'paused'], 'cancelled by test')).toEqual({
      moved: true,
      state: 'cancelled',
    });
    expect(await store.moveJob(job.id, 'running', ['paused'])).toEqual({ moved: false, state: 'cancelled' });
    const ended = (await store.get(job.id))!;
    expect(ended).toMatchObject({
      state: 'cancelled',
      reason: 'cancelled by test',
      counts: { queued: 0, dispatching: 1, succeeded: 1, skipped: 2 },
    });
    expect((await store.devices(ended, { limit: 10, offset: 0 })).items.map((d) => d.state)).toEqual([
      'succeeded',
      'dispatching',
      'skipped',
      'skipped',
    ]);
    expect(
      (await store.devices(ended, { state: 'skipped', limit: 10, offset: 0 })).items.map((d) => d.deviceId),
    ).toEqual(['d-3', 'd-4']);
  });

  it('lists jobs newest first, per city', async () => {
    await store.create('22222222-2222-4222-8222-222222222222', spec('tianjin'), ['t-1'], new Date(Date.now() + 1000));
    expect((await store.list({ limit: 10, offset: 0 })).items.map((j) => j.city)).toEqual(['tianjin', 'beijing']);
    expect((await store.list({ cities: ['beijing'], limit: 10, offset: 0 })).items.map((j) => j.city)).toEqual([
      'beijing',
    ]);
    expect((await store.list({ state: 'cancelled', limit: 10, offset: 0 })).total).toBe(1);
  });
});
