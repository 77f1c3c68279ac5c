import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, type AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix } from '@citypulse/core';
import {
  QUEUES,
  packDeviceReadings,
  packedToFeed,
  type DeviceReadings,
  type RuleEvaluationJob,
} from '@citypulse/contracts';
import { AlertStore, RuleJobFeeds, queryAlerts } from '@citypulse/alert-store';
import { RuleRepository } from '@citypulse/alert-config';
import { AppProcess, flushPrefix, testEnv, uniqueName, waitFor } from '@citypulse/testing';

/**
 * Alerts workers as real, separate processes sharing one deployment: jobs of the same devices,
 * readings milliseconds apart, evaluated by two workers at once; then every worker killed and
 * replaced mid-duration.
 */
describe('several alerts worker processes', () => {
  const env = testEnv({ CP_ALERT_DEADMAN_INTERVAL_MS: '3600000' });
  let config: AppConfig;
  let redis: Redis;
  let queue: Queue<RuleEvaluationJob>;
  let store: AlertStore;
  const workers: AppProcess[] = [];

  const startWorker = async (suffix: string) => {
    const worker = new AppProcess('alerts', { ...env, CP_INSTANCE_ID: `${env.CP_INSTANCE_ID}-${suffix}` });
    await worker.start();
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    config = loadConfig(env);
    redis = new Redis(config.redis.url);
    queue = new Queue(QUEUES.ruleEvaluation, { connection: bullConnection(config), prefix: bullPrefix(config) });
    store = new AlertStore(redis, config.redis.prefix);
    const rules = new RuleRepository(redis, config.redis.prefix);
    await rules.put({
      id: 'co2-now',
      deviceType: 'env-sensor',
      field: 'co2',
      condition: { kind: 'above', threshold: 1000, clearBelow: 800 },
      forSeconds: 0,
      severity: 'warning',
      enabled: true,
    });
    await rules.put({
      id: 'co2-sustained',
      deviceType: 'env-sensor',
      field: 'temperature',
      condition: { kind: 'above', threshold: 30 },
      forSeconds: 60,
      severity: 'critical',
      enabled: true,
    });
    await Promise.all([startWorker('a'), startWorker('b')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await queue.close();
    redis.disconnect();
    await flushPrefix(config);
  });

  const device = (deviceId: string, readings: DeviceReadings['readings']) =>
    packDeviceReadings({ deviceId, deviceType: 'env-sensor', city: 'beijing', site: 'bj-1', readings });

  it('raises exactly one alert per device when two workers evaluate its readings, milliseconds apart, at the same time', async () => {
    const devices = Array.from({ length: 20 }, () => uniqueName('race-'));
    const t0 = Date.now() - 60_000;
    // 40 jobs per device, each one breaching reading 1 ms after the previous job's: 800 jobs queued at once.
    const jobs = [];
    for (let k = 0; k < 40; k++)
      jobs.push({
        name: 'evaluate',
        data: { devices: devices.map((id) => device(id, [[t0 + k, { co2: 1500 + k }]])) },
      });
    await queue.addBulk(jobs);

    await waitFor(
      () => queue.getJobCounts('waiting', 'active', 'completed', 'failed'),
      (c) => c.completed === 40,
      { what: 'all jobs evaluated', timeoutMs: 30_000 },
    );
    const completed = await queue.getJobs(['completed'], 0, 100);
    expect(new Set(completed.map((j) => j.processedBy))).toEqual(
      new Set([`${env.CP_INSTANCE_ID}-a`, `${env.CP_INSTANCE_ID}-b`]),
    );

    for (const id of devices) {
      const { items } = await queryAlerts(redis, store, store.keyNames, { deviceId: id });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ state: 'open', ruleId: 'co2-now' });
    }
    const events = new Queue(QUEUES.alertEvents, { connection: bullConnection(config), prefix: bullPrefix(config) });
    const announced = await waitFor(
      () => events.getJobs(['completed', 'waiting', 'active', 'delayed']),
      (j) => j.length >= 20,
      { what: 'raised events' },
    );
    expect(announced.filter((j) => j.name === 'raised')).toHaveLength(20);
    await events.close();
  });

  it('evaluates each device’s jobs in the order ingest added them, though both workers take jobs at once and one keeps freezing', async () => {
    // Breach, normal, breach, … a job each (raise at once, clear below 800): in order, one alert per
    // breaching job. A breach evaluated after the newer normal reading would be late and raise nothing.
    const devices = Array.from({ length: 10 }, () => uniqueName('order-'));
    const t0 = Date.now() - 60_000;
    // Worker a freezes for 100 ms every 150 ms (a GC pause, a descheduled VM) while holding a job: b goes on.
    let flapping = true;
    const flap = (async () => {
      while (flapping) {
        workers[0].pause();
        await new Promise((r) => setTimeout(r, 100));
        workers[0].resume();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    let after: string[] = [];
    for (let k = 0; k < 20; k++) {
      const job = await queue.add('evaluate', {
        devices: devices.map((id) => device(id, [[t0 + k, { co2: k % 2 === 0 ? 1500 : 500 }]])),
        after,
      });
      after = [job.id!];
    }
    await waitFor(
      () => queue.getJobCounts('waiting', 'active', 'delayed'),
      (c) => c.waiting + c.active + c.delayed === 0,
      { what: 'every job evaluated', timeoutMs: 30_000 },
    ).finally(async () => {
      flapping = false;
      await flap;
    });
    const raised = await Promise.all(
      devices.map(async (id) => (await queryAlerts(redis, store, store.keyNames, { deviceId: id })).total),
    );
    expect(raised).toEqual(devices.map(() => 10));
  });

  it('keeps a half-elapsed duration in Redis across every worker being killed and replaced', async () => {
    const id = uniqueName('restart-');
    const t0 = Date.now() - 120_000;
    await queue.add('evaluate', {
      devices: [
        device(id, [
          [t0, { temperature: 35 }],
          [t0 + 30_000, { temperature: 36 }],
        ]),
      ],
    });
    await waitFor(
      () => redis.hget(`{${config.redis.prefix}:rule-state}:${id}`, 'co2-sustained'),
      (s) => s !== null && JSON.parse(s).rule.phase === 'pending',
      { what: 'the pending state stored' },
    );

    for (const w of workers.splice(0)) await w.kill();
    await startWorker('c');
    await queue.add('evaluate', { devices: [device(id, [[t0 + 60_000, { temperature: 37 }]])] });
    const alerts = await waitFor(
      async () => (await queryAlerts(redis, store, store.keyNames, { deviceId: id })).items,
      (a) => a.length === 1,
      { what: 'the alert after the restart' },
    );
    expect(alerts[0]).toMatchObject({
      ruleId: 'co2-sustained',
      openedAt: new Date(t0 + 60_000).toISOString(),
      lastValue: 37,
    });
  });

  it('reads a job’s readings from beside it and deletes them once evaluated; a job whose readings are gone raises nothing', async () => {
    const feeds = new RuleJobFeeds(redis, config.redis.prefix);
    const [fed, gone] = [uniqueName('fed-'), uniqueName('gone-')];
    const t0 = Date.now() - 60_000;
    const feedKey = await feeds.put([packedToFeed(device(fed, [[t0, { co2: 1500 }]]))]);
    const goneKey = await feeds.put([packedToFeed(device(gone, [[t0, { co2: 1500 }]]))]);
    await redis.del(goneKey);
    const jobs = await queue.addBulk([
      { name: 'evaluate', data: { feedKey: goneKey } },
      { name: 'evaluate', data: { feedKey } },
    ]);
    await waitFor(
      () => Promise.all(jobs.map((job) => job.isCompleted())),
      (done) => done.every(Boolean),
      { what: 'both jobs completed' },
    );
    expect((await queryAlerts(redis, store, store.keyNames, { deviceId: fed })).items).toMatchObject([
      { ruleId: 'co2-now', lastValue: 1500 },
    ]);
    expect((await queryAlerts(redis, store, store.keyNames, { deviceId: gone })).total).toBe(0);
    expect(await redis.exists(feedKey)).toBe(0);
  });
});
