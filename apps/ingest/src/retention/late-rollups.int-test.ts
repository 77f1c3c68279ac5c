import type { FeedDevice } from '@citypulse/contracts';
import { createLogger } from '@citypulse/observability';
import { connectRedis } from '@citypulse/redis';
import { ensureRetention, InfluxQueryClient, InfluxV1Writer } from '@citypulse/storage';
import { flushPrefix, testConfig, waitFor } from '@citypulse/testing';
import { LateIntervalStore } from './late-interval-store.js';
import { LateRollups } from './late-rollups.service.js';
import { retentionPlanOf } from './retention-plan.js';

/**
 * Late readings' minutes survive the process that stored them, on real InfluxDB 1.6.7 and Redis:
 * a stored batch's late minutes are in Redis once `stored` resolves (before ingest acknowledges the
 * batch), and a minute left noted there by a process that is gone is recomputed by another.
 */
describe('late rollups kept in Redis', () => {
  const config = testConfig();
  const influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
  const plan = retentionPlanOf(config);
  const redis = connectRedis(config, 'test-late-rollups');
  const lateKey = `${config.redis.prefix}:rollups:late:1m`;
  const logger = createLogger('silent', 'late-rollups-test');
  const processes: LateRollups[] = [];
  const thisMinute = Math.floor(Date.now() / 60_000) * 60_000;

  beforeAll(async () => {
    await ensureRetention(influx, plan);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.close()));
    redis.disconnect();
    await flushPrefix(config);
    await influx.dropDatabase(config.influx.database);
  });

  /** A raw reading of `device` stored `minutesAgo`, as ingest would have written it. */
  async function storeRaw(device: string, minutesAgo: number, temperature: number): Promise<FeedDevice> {
    const ms = thisMinute - minutesAgo * 60_000 + 7_000;
    const series = `building,city=beijing,device_id=${device},device_type=env-sensor,site=bj-1`;
    const line = `${series} temperature=${temperature}`;
    await new InfluxV1Writer({ url: config.influx.url, database: config.influx.database }).write(
      `${line} ${ms}000000`,
      1,
    );
    return {
      deviceId: device,
      deviceType: 'env-sensor',
      city: 'beijing',
      site: 'bj-1',
      fields: ['temperature'],
      times: [ms],
      values: `[[${temperature}]]`,
    };
  }
  const rolled = (device: string) =>
    influx.query(
      `SELECT "count_temperature", "sum_temperature" FROM "rollup_1m"."building" WHERE "device_id" = '${device}'`,
    );

  it('notes a batch’s late minutes in Redis before the batch may be acknowledged', async () => {
    const late = new LateRollups(config, logger);
    processes.push(late);
    late.start(plan);
    const onTime = await storeRaw('lr-now', 0, 20);
    expect(late.stored([onTime], Date.now())).toBeUndefined();

    const twentyMinutesLate = await storeRaw('lr-late', 20, 21);
    const noted = late.stored([onTime, twentyMinutesLate], Date.now());
    expect(noted).toBeInstanceOf(Promise);
    await noted;
    expect(await redis.zrange(lateKey, '0', '-1')).toEqual([JSON.stringify(['building', thisMinute - 20 * 60_000])]);
    // A stop recomputes what it can take.
    await late.close();
    expect(await rolled('lr-late')).toHaveLength(1);
    expect(await redis.zcard(lateKey)).toBe(0);
  });

  it('recomputes a minute noted by a process that is gone', async () => {
    // What a crashed process leaves behind: the raw reading stored, its minute noted, nothing else.
    const reading = await storeRaw('lr-orphan', 15, 23.5);
    await new LateIntervalStore(redis, lateKey, 60_000, 60_000).note(
      [{ measurement: 'building', ms: reading.times[0] }],
      Date.now() - 60_000,
    );
    const survivor = new LateRollups({ ...config, instanceId: 'test-survivor' }, logger);
    processes.push(survivor);
    survivor.start(plan);
    await waitFor(
      () => rolled('lr-orphan'),
      (rows) => rows.length === 1,
      { timeoutMs: 45_000, what: 'the orphaned minute recomputed' },
    );
    expect(await rolled('lr-orphan')).toEqual([
      {
        time: new Date(thisMinute - 15 * 60_000).toISOString().replace('.000Z', 'Z'),
        count_temperature: 1,
        sum_temperature: 23.5,
      },
    ]);
    await waitFor(
      () => redis.zscore(lateKey, JSON.stringify(['building', thisMinute - 15 * 60_000])),
      (score) => score === null,
      { what: 'the minute no longer noted' },
    );
  }, 60_000);
});
