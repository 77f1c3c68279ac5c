import { historyLines, testConfig } from '@citypulse/testing';
import { InfluxQueryClient } from '../query-client.js';
import { InfluxV1Writer } from '../v1-writer.js';
import { backfillRollups } from './backfill-rollups.js';
import { continuousQueryNames, ensureRetention, type RetentionPlan } from './ensure-retention.js';
import { showRetentionPolicies } from './retention-policies.js';

// Real InfluxDB 1.x (scripts/stack.sh: 1.6.7 on 18086), one fresh database for this file.
const { influx } = testConfig();
const client = new InfluxQueryClient({ url: influx.url, database: influx.database, token: influx.token });
const DAY = 86_400_000;
const HOUR = 3_600_000;
/** A whole-second time as InfluxDB prints it. */
const influxTime = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

const plan: RetentionPlan = {
  database: influx.database,
  raw: { influxql: '30d', ms: 30 * DAY },
  rollups: { '1m': { influxql: '180d', ms: 180 * DAY }, '1h': { influxql: 'INF', ms: Number.POSITIVE_INFINITY } },
  measurements: {
    building: { temperature: 'number', co2: 'number', occupied: 'boolean' },
    energy: { voltage: 'number' },
  },
};

afterAll(() => client.dropDatabase(influx.database));

describe('retention and rollups on InfluxDB 1.6.7', () => {
  it('creates the database, sets the raw (default) policy and the rollup policies, and runs twice to the same state', async () => {
    const first = await ensureRetention(client, plan);
    const second = await ensureRetention(client, plan);
    expect(second).toEqual({ ...first, dropped: [] });
    expect(first.rawPolicy).toBe('autogen');
    expect(await showRetentionPolicies(client, influx.database)).toEqual([
      { name: 'autogen', duration: '720h0m0s', shardGroupDuration: '24h0m0s', default: true },
      { name: 'rollup_1h', duration: '0s', shardGroupDuration: '168h0m0s', default: false },
      { name: 'rollup_1m', duration: '4320h0m0s', shardGroupDuration: '24h0m0s', default: false },
    ]);
    expect((await continuousQueryNames(client, influx.database)).sort()).toEqual([...first.continuousQueries].sort());
    // The hourly rollup's, per measurement; the 1-minute rollup is computed by ingest (minute-rollups).
    expect(first.continuousQueries).toEqual([
      expect.stringMatching(/^cp_rollup_1h_building_[0-9a-f]{8}$/),
      expect.stringMatching(/^cp_rollup_1h_energy_[0-9a-f]{8}$/),
    ]);
  });

  it('applies changed durations and replaces a continuous query whose text changed, leaving others’ queries alone', async () => {
    await client.query(
      `CREATE CONTINUOUS QUERY "operator_own" ON "${influx.database}" BEGIN SELECT mean(*) INTO ` +
        `"rollup_1h".:MEASUREMENT FROM "building" GROUP BY time(1d), * END`,
    );
    const before = await ensureRetention(client, plan);
    const after = await ensureRetention(client, {
      ...plan,
      raw: { influxql: '36h', ms: 36 * HOUR },
      measurements: { ...plan.measurements, traffic: { speed: 'number' } },
    });
    // A new measurement gets its hourly query; the others' did not change.
    expect(after.dropped).toEqual([]);
    expect(after.continuousQueries).toEqual([
      ...before.continuousQueries,
      expect.stringMatching(/^cp_rollup_1h_traffic_[0-9a-f]{8}$/),
    ]);
    expect((await continuousQueryNames(client, influx.database)).sort()).toEqual(
      [...after.continuousQueries, 'operator_own'].sort(),
    );
    expect((await showRetentionPolicies(client, influx.database))[0]).toEqual({
      name: 'autogen',
      duration: '36h0m0s',
      shardGroupDuration: '1h0m0s',
      default: true,
    });
    // Ours no longer wanted are dropped: the traffic one, and a 1-minute one of an earlier version.
    await client.query(
      `CREATE CONTINUOUS QUERY "cp_rollup_1m_0ld0ld00" ON "${influx.database}" RESAMPLE EVERY 1m FOR 5m BEGIN ` +
        `SELECT count(*) INTO "rollup_1m".:MEASUREMENT FROM "building" GROUP BY time(1m), * END`,
    );
    const back = await ensureRetention(client, plan);
    expect(back.dropped.sort()).toEqual([after.continuousQueries[2], 'cp_rollup_1m_0ld0ld00'].sort());
    expect((await continuousQueryNames(client, influx.database)).sort()).toEqual(
      [...before.continuousQueries, 'operator_own'].sort(),
    );
  });

  it('backfills both rollups of a stored history; their counts, sums, minima and maxima match the raw points', async () => {
    const toMs = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const fromMs = toMs - 8 * DAY;
    const history = historyLines(
      [1, 2, 3].map((n) => ({
        measurement: 'building',
        tags: { city: 'beijing', device_id: `rt-${n}` },
        fields: { temperature: 'float', co2: 'integer' },
      })),
      { fromMs, toMs, stepMs: 10 * 60_000 },
    );
    await new InfluxV1Writer({ url: influx.url, database: influx.database }).write(history, 0);

    const result = await backfillRollups(client, {
      database: influx.database,
      measurements: plan.measurements,
      fromMs: fromMs + 1,
      toMs: toMs - 1,
    });
    expect(result).toMatchObject({ fromMs, toMs });
    // A point every 10 minutes: each lands in its own 1-minute interval, six to an hour, per device.
    expect(result.written).toEqual({ '1m': 3 * 8 * 24 * 6, '1h': 3 * 8 * 24 });

    const range = `time >= ${fromMs}ms AND time < ${toMs}ms`;
    const [raw] = await client.query(
      `SELECT count("temperature") AS n, sum("temperature") AS s, min("co2") AS lo, max("co2") AS hi FROM ` +
        `"autogen"."building" WHERE ${range}`,
    );
    for (const rp of ['rollup_1m', 'rollup_1h']) {
      const [rolled] = await client.query(
        `SELECT sum("count_temperature") AS n, sum("sum_temperature") AS s, min("min_co2") AS lo, ` +
          `max("max_co2") AS hi FROM "${rp}"."building" WHERE ${range}`,
      );
      expect(rolled.n).toBe(raw.n);
      expect(rolled.lo).toBe(raw.lo);
      expect(rolled.hi).toBe(raw.hi);
      expect(rolled.s as number).toBeCloseTo(raw.s as number, 6);
    }
    // Tags stay tags: a device's rollup is selected as its raw points are.
    const [device] = await client.query(
      `SELECT sum("count_co2") AS n FROM "rollup_1h"."building" WHERE "device_id" = 'rt-2' AND ${range}`,
    );
    expect(device.n).toBe(8 * 24 * 6);
    // An hour's mean, computed from its minutes, is the mean of its raw readings (not a mean of means).
    const hourly = await client.query(
      `SELECT "mean_co2", "mean_temperature" FROM "rollup_1h"."building" WHERE "device_id" = 'rt-2' AND ${range}`,
    );
    const rawHourly = await client.query(
      `SELECT mean("co2") AS "mean_co2", mean("temperature") AS "mean_temperature" FROM "autogen"."building" ` +
        `WHERE "device_id" = 'rt-2' AND ${range} GROUP BY time(1h)`,
    );
    expect(hourly).toHaveLength(8 * 24);
    hourly.forEach((row, i) => {
      expect(row.time).toBe(rawHourly[i].time);
      expect(row.mean_co2 as number).toBeCloseTo(rawHourly[i].mean_co2 as number, 9);
      expect(row.mean_temperature as number).toBeCloseTo(rawHourly[i].mean_temperature as number, 9);
    });
  });

  it('rolls booleans up to their minimum, maximum and count through both rollups', async () => {
    const hourMs = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
    const lines = [true, false, true, true].map(
      (occupied, i) => `building,city=beijing,device_id=rt-b occupied=${occupied} ${hourMs + i * 7 * 60_000}000000`,
    );
    await new InfluxV1Writer({ url: influx.url, database: influx.database }).write(lines.join('\n'), 0);
    await backfillRollups(client, {
      database: influx.database,
      measurements: plan.measurements,
      fromMs: hourMs,
      toMs: hourMs + HOUR,
    });
    const rows = await client.query(
      `SELECT "min_occupied", "max_occupied", "count_occupied" FROM "rollup_1h"."building" WHERE "device_id" = 'rt-b'`,
    );
    expect(rows).toEqual([{ time: influxTime(hourMs), min_occupied: false, max_occupied: true, count_occupied: 4 }]);
  });

  it('rolls a range the 1-minute rollup no longer keeps up to hours from raw readings', async () => {
    const hourMs = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
    const lines = [1, 2, 3].map(
      (v, i) => `building,city=beijing,device_id=rt-old co2=${v}i ${hourMs + i * 60_000}000000`,
    );
    await new InfluxV1Writer({ url: influx.url, database: influx.database }).write(lines.join('\n'), 0);
    const hourOnly = (nowMs: number) =>
      backfillRollups(client, {
        database: influx.database,
        measurements: plan.measurements,
        fromMs: hourMs,
        toMs: hourMs + HOUR,
        rollups: ['1h'],
        nowMs,
      });
    const hourOf = () =>
      client.query(`SELECT "sum_co2", "count_co2" FROM "rollup_1h"."building" WHERE "device_id" = 'rt-old'`);
    // Within the 1-minute rollup's 180 days, the hour is read from it: it has no minutes of rt-old.
    await hourOnly(Date.now());
    expect(await hourOf()).toEqual([]);
    // As if 200 days later: from raw.
    await hourOnly(Date.now() + 200 * DAY);
    expect(await hourOf()).toEqual([{ time: influxTime(hourMs), sum_co2: 6, count_co2: 3 }]);
  });
});
