import { Queue } from 'bullmq';
import { QUEUES, deviceTopic, type RuleEvaluationJob } from '@citypulse/contracts';
import { RuleJobFeeds } from '@citypulse/alert-store';
import { bullConnection, bullPrefix, connectRedis, type RedisClient } from '@citypulse/redis';
import { handoffKeys, partitionOf, readHandoffBacklog } from '@citypulse/handoff';
import { toLine } from '@citypulse/storage';
import { uniqueName, waitFor } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../src/run-apps.js';
import { TestCitypulse } from './harness.js';

const values = (i: number) => ({ voltage: 220 + i, current: 5, active_power: 1.1, power_factor: 0.95, frequency: 50 });

/**
 * An upgrade with readings still in the hand-off: entries written by a broker from before the rule
 * feed travelled beside the lines (lines only) are stored and evaluated by the new ingest process,
 * in order with what the new broker wrote after them.
 */
describe('hand-off entries of an older broker after an upgrade', () => {
  let cp: TestCitypulse;
  let workers: Citypulse | undefined;
  let redis: RedisClient;

  beforeAll(async () => {
    // Broker and api only: the entries wait in Redis until the ingest and alerts processes start.
    // Evaluated readings kept a while: the test reads them back from the completed jobs.
    cp = await TestCitypulse.start({ CP_RULE_FEEDS_KEPT_S: '600' }, ['broker', 'api']);
    redis = connectRedis(cp.config, 'test-upgrade');
  });
  afterAll(async () => {
    await workers?.close();
    redis?.disconnect();
    await cp?.stop();
  });

  /** Each rule-evaluation job's readings of `id` that were evaluated, in the order the jobs were added. */
  async function evaluated(id: string) {
    const queue = new Queue<RuleEvaluationJob>(QUEUES.ruleEvaluation, {
      connection: bullConnection(cp.config),
      prefix: bullPrefix(cp.config),
    });
    try {
      const jobs = (await queue.getJobs(['completed'], 0, -1)).sort((a, b) => Number(a.id) - Number(b.id));
      const feeds = new RuleJobFeeds(redis, cp.config.redis.prefix);
      const readings = await Promise.all(jobs.map((job) => feeds.readings(job.data)));
      return readings.flatMap((devices) => (devices ?? []).filter((d) => d.deviceId === id).flatMap((d) => d.readings));
    } finally {
      await queue.close();
    }
  }

  it('stores and evaluates the lines-only entries, then the new broker’s, in order', async () => {
    const id = uniqueName('meter-');
    const secret = await cp.provision({ id, type: 'electricity-meter', city: 'tianjin', site: 'tj-1' });
    const t0 = Date.now() - 60_000;
    const { stream, backlog } = handoffKeys(cp.config.redis.prefix, partitionOf(id, cp.config.handoff.partitions));
    // What the older broker wrote for two readings: one entry of `n` and `lp`, counted in the backlog.
    const oldLines = [0, 1].map((i) =>
      toLine({
        deviceId: id,
        deviceType: 'electricity-meter',
        city: 'tianjin',
        site: 'tj-1',
        measurement: 'energy',
        timeNs: `${t0 + i}000000`,
        values: values(i),
      })!,
    );
    await redis.xadd(stream, '*', 'n', '2', 'lp', oldLines.join('\n'));
    await redis.incrby(backlog, 2);
    // Then the upgraded broker takes two more publishes of the same device.
    const device = await cp.connectDevice(id, secret);
    for (const i of [2, 3])
      await device.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify({ ts: t0 + i, values: values(i) }), {
        qos: 1,
      });
    await device.endAsync();
    const entries = await redis.xrange(stream, '-', '+');
    expect(entries.map(([, fields]) => fields.includes('companion'))).toEqual([false, true, true]);

    workers = await startCitypulse(cp.config, ['ingest', 'alerts']);
    const expected = [0, 1, 2, 3].map((i) => [t0 + i, values(i)]);
    const stored = await waitFor(
      () => cp.influx.query(`SELECT * FROM "energy" WHERE device_id = '${id}'`),
      (rows) => rows.length === 4,
      { what: 'the four points in InfluxDB' },
    );
    expect(stored.map((row) => [Date.parse(String(row.time)), row.voltage])).toEqual(
      expected.map(([t, v]) => [t, (v as { voltage: number }).voltage]),
    );
    const fed = await waitFor(
      () => evaluated(id),
      (readings) => readings.length >= 4,
      { what: 'the four readings evaluated' },
    );
    expect(fed).toEqual(expected);
    await waitFor(
      () => readHandoffBacklog(redis, cp.config.redis.prefix, cp.config.handoff.partitions),
      (left) => left === 0,
      { what: 'the hand-off emptied' },
    );
  });
});
