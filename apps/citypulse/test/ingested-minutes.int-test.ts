import { deviceTopic } from '@citypulse/contracts';
import { connectRedis } from '@citypulse/redis';
import { handoffKeys } from '@citypulse/handoff';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

const MINUTE_MS = 60_000;

/**
 * The 1-minute rollup written by the ingest process that stored the readings, through the real
 * broker and ingest on InfluxDB 1.6.7 and Redis: a minute whose readings all went through it (every
 * hand-off partition held since before the minute, less the allowed device clock skew, here 1 s)
 * is written by ingest and marked covered, not read back from InfluxDB, and equals the aggregates of
 * its raw readings; the minute ingest started in is computed from the raw readings instead.
 */
describe('1-minute rollup written by ingest', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_MAX_FUTURE_SKEW_MS: '1000' }, ['broker', 'ingest', 'api']);
    await cp.retentionReady();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it(
    'writes the minutes it stored whole and leaves the first to InfluxDB',
    async () => {
      const startedMs = Date.now();
      const id = uniqueName('kept-');
      const secret = await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-1' });
      const device = await cp.connectDevice(id, secret);
      const firstMinute = Math.floor(startedMs / MINUTE_MS) * MINUTE_MS;
      // Held since startedMs at the latest; covered: a minute beginning 1 s + 5 s (clocks) after that.
      const wholeMinute = Math.ceil((startedMs + 6_000) / MINUTE_MS) * MINUTE_MS;
      let i = 0;
      const publishing = setInterval(() => {
        const values = { temperature: 20 + (i % 7) * 0.5, co2: 400 + i, occupancy: i % 3 };
        i++;
        void device
          .publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify({ values }), { qos: 1 })
          .catch(() => undefined);
      }, 400);
      const redis = connectRedis(cp.config, 'test-ingested-minutes');
      try {
        await waitFor(
          () => Date.now(),
          (now) => now >= wholeMinute + MINUTE_MS,
          { timeoutMs: 3 * MINUTE_MS, intervalMs: 500, what: 'the whole minute over' },
        );
        clearInterval(publishing);
        const done = (minute: number) => redis.get(`${cp.config.redis.prefix}:rollups:1m:${minute}`);
        await waitFor(
          async () => [await done(firstMinute), await done(wholeMinute)],
          (markers) => markers.every((m) => m !== null && !m.startsWith('claimed')),
          { timeoutMs: 2 * MINUTE_MS, intervalMs: 500, what: 'both minutes rolled up' },
        );
        const covered = async (minute: number) => {
          const marks = await Promise.all(
            Array.from({ length: cp.config.handoff.partitions }, (_, p) =>
              redis.exists(`${handoffKeys(cp.config.redis.prefix, p).lease}:rollup-1m:${minute}`),
            ),
          );
          return marks.filter((n) => n === 1).length;
        };
        // The first minute computed from raw readings; the whole one not read back from InfluxDB.
        expect([await done(firstMinute), await done(wholeMinute)]).toEqual(['done', 'covered']);
        expect(await covered(wholeMinute)).toBe(cp.config.handoff.partitions);
        expect(await covered(firstMinute)).toBe(0);

        for (const minute of [firstMinute, wholeMinute]) {
          const where = `"device_id" = '${id}' AND time >= ${minute}ms AND time < ${minute + MINUTE_MS}ms`;
          const [fromRaw] = await cp.influx.query(
            'SELECT min("temperature") AS min_temperature, max("temperature") AS max_temperature, ' +
              'sum("temperature") AS sum_temperature, count("temperature") AS count_temperature, ' +
              `sum("co2") AS sum_co2, max("occupancy") AS max_occupancy FROM "building" WHERE ${where}`,
          );
          const [rolled] = await cp.influx.query(
            'SELECT "min_temperature", "max_temperature", "sum_temperature", "count_temperature", "sum_co2", ' +
              `"max_occupancy" FROM "rollup_1m"."building" WHERE ${where}`,
          );
          expect(fromRaw.count_temperature).toBeGreaterThan(0);
          expect(rolled).toEqual(fromRaw);
        }
      } finally {
        clearInterval(publishing);
        await device.endAsync();
        redis.disconnect();
      }
    },
    6 * MINUTE_MS,
  );
});
