import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Readings stored after their interval's rollup was computed still reach the rollups: the ingest
 * process that stored them recomputes their minutes (computed 30 s after they ended) and, for an
 * hour the hourly continuous query no longer visits (2 hours after it began), the
 * hour (LateRollups: an interval once it had no late reading for 10 s, looked at every 10 s).
 * Devices upload buffered readings through the real broker and ingest on InfluxDB 1.6.7.
 */
describe('rollups of readings stored late', () => {
  let cp: TestCitypulse;

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['broker', 'ingest', 'api']);
    await cp.retentionReady();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  /** A device uploading readings buffered `minutesAgo`; resolves once ingest stored them all. */
  async function upload(minutesAgo: number[]) {
    const id = uniqueName('late-');
    const secret = await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-1' });
    const client = await cp.connectDevice(id, secret);
    const now = Date.now();
    const readings = minutesAgo.map((ago, i) => ({
      ts: now - ago * 60_000,
      values: { temperature: 20 + i, co2: 400 + i },
    }));
    await client.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify(readings), { qos: 1 });
    await client.endAsync();
    // PUBACK: in the hand-off; then stored by ingest.
    await waitFor(
      () => cp.influx.query(`SELECT count("temperature") AS n FROM "building" WHERE "device_id" = '${id}'`),
      ([row]) => row?.n === readings.length,
      { what: 'the readings stored' },
    );
    const sum = readings.reduce((s, r) => s + r.values.temperature, 0);
    return { id, readings, expected: { n: readings.length, s: sum, hi: 400 + readings.length - 1 } };
  }

  const rolled = async (policy: string, id: string) => {
    const [row] = await cp.influx.query(
      `SELECT sum("count_temperature") AS n, sum("sum_temperature") AS s, max("max_co2") AS hi FROM ` +
        `"${policy}"."building" WHERE "device_id" = '${id}' AND time > now() - 1d`,
    );
    return row ?? {};
  };
  const minutesOf = (id: string) =>
    cp.influx.query(
      `SELECT "count_temperature" FROM "rollup_1m"."building" WHERE "device_id" = '${id}' AND time > now() - 1d`,
    );
  const minuteStart = (ms: number) => Math.floor(ms / 60_000) * 60_000;

  it('recomputes the minutes of readings uploaded 9–12 minutes late, leaving their hour to the hourly query', async () => {
    const { id, readings, expected } = await upload([12, 11, 10, 9]);
    await waitFor(
      () => rolled('rollup_1m', id),
      (row) => row.n === 4,
      { timeoutMs: 90_000, what: 'the late minutes' },
    );
    expect(await rolled('rollup_1m', id)).toMatchObject(expected);
    expect((await minutesOf(id)).map((m) => Date.parse(m.time as string))).toEqual(
      readings.map((r) => minuteStart(r.ts)),
    );
  }, 180_000);

  it('recomputes the minutes and then the hour of readings uploaded three hours late', async () => {
    const { id, expected } = await upload([185, 184, 183]);
    await waitFor(
      () => rolled('rollup_1h', id),
      (row) => row.n === 3,
      { timeoutMs: 120_000, what: 'the late hour' },
    );
    expect(await rolled('rollup_1h', id)).toMatchObject(expected);
    expect(await rolled('rollup_1m', id)).toMatchObject(expected);
  }, 180_000);
});
