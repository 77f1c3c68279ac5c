import { ensureRetention, InfluxQueryClient, InfluxV1Writer, backfillRollups } from '@citypulse/storage';
import { testConfig } from '@citypulse/testing';
import { MinuteAggregates } from './minute-aggregates.js';
import { retentionPlanOf } from './retention-plan.js';

/**
 * The 1-minute rollup an ingest process keeps of what it stores is the one InfluxDB 1.6.7 computes
 * from the same raw readings (`SELECT min(*), max(*), sum(*), count(*) … GROUP BY time(1m), *`):
 * same series, field names, types and values — numbers, booleans, strings and absent fields.
 */
describe('1-minute rollup kept by ingest, against InfluxDB’s own', () => {
  const config = testConfig();
  const influx = new InfluxQueryClient({ url: config.influx.url, database: config.influx.database });
  const plan = retentionPlanOf(config);
  const minute = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;

  beforeAll(async () => {
    await ensureRetention(influx, plan);
  });
  afterAll(async () => {
    await influx.dropDatabase(config.influx.database);
  });

  it('writes the points InfluxDB computes', async () => {
    const fields = ['temperature', 'co2', 'door_open', 'label'];
    const aggregates = new MinuteAggregates();
    const raw: string[] = [];
    for (let d = 0; d < 3; d++) {
      const tags = `city=beijing,device_id=agg-${d},device_type=env-sensor,site=bj-${d}`;
      const times: number[] = [];
      const rows: Array<Array<number | boolean | string | null>> = [];
      for (let i = 0; i < 25; i++) {
        const ms = minute + i * 2_300 + d * 7;
        const row = [
          Math.round((18 + d + Math.sin(i) * 3.3) * 1000) / 1000,
          400 + ((i * 37 + d) % 200),
          i % 4 === d ? null : i % 3 === 0,
          i % 5 === 0 ? `s${i}` : null,
        ];
        times.push(ms);
        rows.push(row);
        const set = fields
          .map((f, k) => (row[k] === null ? '' : `${f}=${typeof row[k] === 'string' ? `"${row[k]}"` : row[k]}`))
          .filter((part) => part !== '')
          .join(',');
        raw.push(`building,${tags} ${set} ${ms}000000`);
      }
      aggregates.add(0, `building_kept,${tags}`, fields, times, rows, 0);
    }
    const url = config.influx.url;
    const database = config.influx.database;
    await new InfluxV1Writer({ url, database }).write(raw.join('\n'), raw.length);
    await backfillRollups(influx, {
      database,
      measurements: plan.measurements,
      fromMs: minute,
      toMs: minute + 60_000,
      rollups: ['1m'],
    });
    const kept = aggregates.take(minute, () => true);
    expect(kept).toHaveLength(3);
    await new InfluxV1Writer({ url, database, retentionPolicy: 'rollup_1m' }).write(kept.join('\n'), kept.length);

    const points = (measurement: string) =>
      influx.query(`SELECT * FROM "rollup_1m"."${measurement}" GROUP BY * ORDER BY time`);
    const computed = await points('building');
    expect(computed).toHaveLength(3);
    expect(await points('building_kept')).toEqual(computed);
    const fieldKeys = async (measurement: string) =>
      (await influx.series(`SHOW FIELD KEYS FROM "rollup_1m"."${measurement}"`))[0].values;
    expect(await fieldKeys('building_kept')).toEqual(await fieldKeys('building'));
  });
});
