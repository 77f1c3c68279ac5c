import {
  continuousQueries,
  lastComputedAfterMs,
  ROLLUPS,
  ROLLUPS_FINEST_FIRST,
  rollupStatements,
  shardDurationFor,
} from './rollups.js';
import { influxDurationMs } from './retention-policies.js';

const [hourly, minutely] = ROLLUPS;
const measurements = {
  building: { temperature: 'number', occupied: 'boolean' },
  energy: { mode: 'string' },
} as const;

describe('rollup InfluxQL', () => {
  it('rolls every field of the named raw measurements up into the 1-minute policy in one statement, keeping tags', () => {
    expect(rollupStatements('cp', 'autogen', minutely, measurements, 'time >= 0ms AND time < 60000ms')).toEqual([
      {
        measurements: ['building', 'energy'],
        select:
          'SELECT min(*), max(*), sum(*), count(*) INTO "cp"."rollup_1m".:MEASUREMENT FROM ' +
          '"cp"."autogen"."building", "cp"."autogen"."energy" ' +
          'WHERE time >= 0ms AND time < 60000ms GROUP BY time(1m), *',
      },
    ]);
  });

  it('rolls the hour up from the 1-minute rollup per measurement, naming each field as a raw rollup does', () => {
    expect(rollupStatements('cp', 'autogen', hourly, measurements)).toEqual([
      {
        measurements: ['building'],
        select:
          'SELECT min("min_occupied") AS "min_occupied", max("max_occupied") AS "max_occupied", ' +
          'sum("count_occupied") AS "count_occupied", ' +
          'sum("sum_temperature") / sum("count_temperature") AS "mean_temperature", ' +
          'min("min_temperature") AS "min_temperature", max("max_temperature") AS "max_temperature", ' +
          'sum("sum_temperature") AS "sum_temperature", sum("count_temperature") AS "count_temperature" ' +
          'INTO "cp"."rollup_1h"."building" FROM "cp"."rollup_1m"."building" GROUP BY time(1h), *',
      },
      {
        measurements: ['energy'],
        select:
          'SELECT sum("count_mode") AS "count_mode" INTO "cp"."rollup_1h"."energy" FROM "cp"."rollup_1m"."energy" ' +
          'GROUP BY time(1h), *',
      },
    ]);
  });

  it('computes the finer rollups first, and each rollup from raw or a finer one', () => {
    expect(ROLLUPS_FINEST_FIRST.map((r) => r.name)).toEqual(['1m', '1h']);
    expect(ROLLUPS.map((r) => r.name)).toEqual(['1h', '1m']);
    for (const rollup of ROLLUPS) {
      const source = ROLLUPS.find((r) => r.name === rollup.source);
      if (source) expect(source.intervalMs).toBeLessThan(rollup.intervalMs);
      else expect(rollup.source).toBe('raw');
      if (rollup.schedule.kind === 'continuous-query')
        expect(influxDurationMs(rollup.schedule.for)).toBe(rollup.schedule.forMs);
    }
    // The minute is computed 30 s after it ended; the hour's query looks back 2 hours.
    expect(lastComputedAfterMs(minutely)).toBe(90_000);
    expect(lastComputedAfterMs(hourly)).toBe(7_200_000);
  });

  it('keeps the hourly rollup by a continuous query per measurement, named after it and a hash of its text', () => {
    expect(continuousQueries('cp', 'autogen', minutely, measurements)).toEqual([]);
    const hourCqs = continuousQueries('cp', 'autogen', hourly, measurements);
    expect(hourCqs.map((cq) => cq.name)).toEqual([
      expect.stringMatching(/^cp_rollup_1h_building_[0-9a-f]{8}$/),
      expect.stringMatching(/^cp_rollup_1h_energy_[0-9a-f]{8}$/),
    ]);
    expect(hourCqs[0].statement).toMatch(
      /^CREATE CONTINUOUS QUERY "cp_rollup_1h_building_[0-9a-f]{8}" ON "cp" RESAMPLE EVERY 15m FOR 2h BEGIN SELECT .* FROM "cp"."rollup_1m"."building" GROUP BY time\(1h\), \* END$/,
    );
    // The same plan the same names; a changed one another.
    expect(continuousQueries('cp', 'autogen', hourly, measurements)).toEqual(hourCqs);
    const moreFields = { ...measurements, building: { ...measurements.building, co2: 'number' as const } };
    expect(continuousQueries('cp', 'autogen', hourly, moreFields)[0].name).not.toBe(hourCqs[0].name);
    expect(continuousQueries('cp', 'autogen', hourly, moreFields)[1].name).toBe(hourCqs[1].name);
  });

  it('gives each retention duration the shard length InfluxDB 1.x would pick for it', () => {
    expect(shardDurationFor(36 * 3_600_000)).toBe('1h');
    expect(shardDurationFor(30 * 86_400_000)).toBe('1d');
    expect(shardDurationFor(180 * 86_400_000)).toBe('1d');
    expect(shardDurationFor(260 * 7 * 86_400_000)).toBe('7d');
    expect(shardDurationFor(Number.POSITIVE_INFINITY)).toBe('7d');
  });

  it('reads the durations SHOW RETENTION POLICIES prints, 0s being INF', () => {
    expect(influxDurationMs('720h0m0s')).toBe(30 * 86_400_000);
    expect(influxDurationMs('1h30m0s')).toBe(5_400_000);
    expect(influxDurationMs('0s')).toBe(Number.POSITIVE_INFINITY);
  });
});
