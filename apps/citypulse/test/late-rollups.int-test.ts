import { deviceTopic } from '@citypulse/contracts';
import { showRetentionPolicies } from '@citypulse/storage';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Readings stored after the 1-minute continuous query last covered their minute (it looks back two
 * minutes) still reach the rollups: the ingest process that stored them recomputes their minutes
 * and hours (LateRollups, every 10 s). A device uploads readings buffered 9–12 minutes ago through
 * the real broker and ingest on InfluxDB 1.6.7; no continuous query will look at those minutes again.
 */
describe('rollups of readings stored late', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['broker', 'ingest', 'api']);
    await waitFor(
      () => showRetentionPolicies(cp.influx, cp.config.influx.database),
      (p) => p.length === 3,
      { what: 'retention policies set up by ingest' },
    );
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('recomputes the 1-minute and 1-hour rollups of a buffered upload from long-gone minutes', async () => {
    const id = uniqueName('late-');
    const client = await cp.connectDevice(
      id,
      await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-1' }),
    );
    const now = Date.now();
    const readings = [12, 11, 10, 9].map((minutesAgo, i) => ({
      ts: now - minutesAgo * 60_000,
      values: { temperature: 20 + i, co2: 400 + i },
    }));
    await client.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify(readings), { qos: 1 });
    await client.endAsync();

    // PUBACK: in the hand-off; then stored by ingest.
    const raw = () =>
      cp.influx.query(
        `SELECT count("temperature") AS n, sum("temperature") AS s FROM "building" WHERE "device_id" = '${id}'`,
      );
    await waitFor(raw, ([row]) => row?.n === 4, { what: 'the readings stored' });
    const rolled = async (policy: string) => {
      const [row] = await cp.influx.query(
        `SELECT sum("count_temperature") AS n, sum("sum_temperature") AS s, max("max_co2") AS hi FROM ` +
          `"${policy}"."building" WHERE "device_id" = '${id}' AND time > now() - 1d`,
      );
      return row ?? {};
    };
    const expected = { n: 4, s: 20 + 21 + 22 + 23, hi: 403 };
    await waitFor(
      () => rolled('rollup_1m'),
      (row) => row.n === 4,
      { timeoutMs: 30_000, what: 'the late minutes' },
    );
    expect(await rolled('rollup_1m')).toMatchObject(expected);
    // The hour (or two) holding them, from the recomputed minutes: in the same repair, after them.
    expect(await rolled('rollup_1h')).toMatchObject(expected);
    const minutes = await cp.influx.query(
      `SELECT "count_temperature" FROM "rollup_1m"."building" WHERE "device_id" = '${id}' AND time > now() - 1d`,
    );
    expect(minutes.map((m) => Date.parse(m.time as string))).toEqual(
      readings.map((r) => Math.floor(r.ts / 60_000) * 60_000),
    );
  });
});
