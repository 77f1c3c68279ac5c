import { freePort, testConfig, uniqueName, waitFor } from '@citypulse/testing';
import { createPointWriter } from './create-point-writer.js';
import { detectInfluxApi } from './detect.js';
import { quoteIdent } from './influxql.js';
import { escapeMeasurement, toLine, toLines } from './line-protocol.js';
import { measureWriteCeiling } from './measure-ceiling.js';
import { pointWriterContract, type StoredPoint } from './point-writer.contract.js';
import { startProxy } from './test-servers.js';
import { InfluxQueryClient } from './query-client.js';
import { ResilientWriter } from './resilient-writer.js';
import { InfluxV1Writer } from './v1-writer.js';

// Real InfluxDB 1.x (scripts/stack.sh: 1.6.7 on 18086), one fresh database for this file.
const { influx } = testConfig();
const serverUrl = new URL(influx.url);
const query = new InfluxQueryClient({ url: influx.url, database: influx.database, token: influx.token });

beforeAll(() => query.createDatabase(influx.database));
afterAll(() => query.dropDatabase(influx.database));

async function readBack(measurement: string): Promise<StoredPoint[]> {
  const series = await query.series(`SELECT * FROM ${quoteIdent(measurement)} GROUP BY *`, { epoch: 'ns' });
  return series.flatMap((s) =>
    (s.values ?? []).map((values) => {
      const point: StoredPoint = { tags: { ...s.tags }, fields: {}, timeNs: '' };
      s.columns.forEach((column, i) => {
        if (column === 'time') point.timeNs = values[i] as string;
        else if (values[i] !== null) point.fields[column] = values[i];
      });
      return point;
    }),
  );
}

pointWriterContract({
  name: 'InfluxV1Writer → InfluxDB 1.x /write',
  createWriter: ({ gzipThresholdBytes, url }) =>
    new InfluxV1Writer({ url: url ?? influx.url, database: influx.database, gzipThresholdBytes }),
  serverAddress: { host: serverUrl.hostname, port: Number(serverUrl.port) },
  readBack,
  quirks: {
    precision: 'ns',
    booleans: 'boolean',
    strings: 'stored',
    duplicates: 'overwritten',
    // `v` holds floats in this measurement: a string is a field type conflict.
    badLine: (measurement, timeNs) => `${escapeMeasurement(measurement)},device_id=bad v="text" ${timeNs}`,
    reportsBadLines: true,
  },
});

const reading = (
  measurement: string,
  deviceId: string,
  timeNs: string,
  values: Record<string, number | boolean | string>,
) => ({
  deviceId,
  deviceType: 'env-sensor',
  city: 'lyon',
  site: 'hall',
  measurement,
  timeNs,
  values,
});

describe('InfluxDB 1.x specifics', () => {
  const writer = new ResilientWriter(new InfluxV1Writer({ url: influx.url, database: influx.database }), {
    logger: { error: () => undefined },
  });
  afterAll(() => writer.close());
  // Whole seconds a minute ago, so expected RFC3339 strings are easy to state.
  const base = BigInt(Math.floor(Date.now() / 1000) - 60) * 1_000_000_000n;

  it('is detected as v1 from the version /ping reports', async () => {
    await expect(detectInfluxApi(influx.url)).resolves.toBe('v1');
  });

  it('writes through createPointWriter with api "auto"', async () => {
    const measurement = uniqueName('auto_');
    const auto = createPointWriter({
      url: influx.url,
      api: 'auto',
      database: influx.database,
      org: 'unused',
      bucket: 'unused',
    });
    await auto.write(toLines([reading(measurement, 'd1', base.toString(), { v: 1 })]).join('\n'), 1);
    await auto.close();
    await expect(query.countPoints(measurement)).resolves.toBe(1);
  });

  it('treats an unreachable server during api "auto" detection as retryable, and writes once it answers', async () => {
    const measurement = uniqueName('auto_');
    const fakePort = await freePort(); // nothing listens there yet
    let proxy: { close(): void } | undefined;
    const statuses: Array<number | string> = [];
    const auto = createPointWriter({
      url: `http://127.0.0.1:${fakePort}`,
      api: 'auto',
      database: influx.database,
      org: 'unused',
      bucket: 'unused',
    });
    const resilient = new ResilientWriter(auto, {
      initialDelayMs: 20,
      maxDelayMs: 100,
      onRetry: (status) => {
        statuses.push(status);
        if (statuses.length === 2)
          proxy = startProxy(fakePort, { host: serverUrl.hostname, port: Number(serverUrl.port) });
      },
    });
    try {
      const outcome = await resilient.writeBatch(toLines([reading(measurement, 'd1', base.toString(), { v: 1 })]));
      expect(outcome).toMatchObject({ written: 1, dropped: 0 });
      expect(statuses).toEqual(['network', 'network']);
      await expect(query.countPoints(measurement)).resolves.toBe(1);
    } finally {
      await resilient.close();
      proxy?.close();
    }
  });

  it('stores a backslash inside a tag literally and refuses one at its end, which is dropped and counted', async () => {
    const measurement = uniqueName('bs_');
    const outcome = await writer.writeBatch([
      toLine(reading(measurement, 'a\\b', base.toString(), { v: 1 }))!,
      toLine(reading(measurement, 'ends\\', (base + 1n).toString(), { v: 2 }))!,
    ]);
    expect(outcome).toMatchObject({ written: 1, dropped: 1 });
    expect((await query.query(`SELECT * FROM ${quoteIdent(measurement)}`)).map((r) => r.device_id)).toEqual(['a\\b']);
  });

  it('reports an unparseable line that 1.6.7 leaves out of dropped=N, and stores the rest', async () => {
    const measurement = uniqueName('parse_');
    const good = toLines([
      reading(measurement, 'd1', base.toString(), { v: 1 }),
      reading(measurement, 'd1', (base + 1n).toString(), { v: 2 }),
    ]);
    const outcome = await writer.writeBatch([good[0], `${measurement} garbage`, good[1]]);
    expect(outcome).toMatchObject({ written: 2, dropped: 1 });
    await expect(query.countPoints(measurement)).resolves.toBe(2);
  });

  describe('InfluxQueryClient', () => {
    const measurement = uniqueName('q_');
    beforeAll(async () => {
      await writer.writeBatch(
        toLines([
          reading(measurement, 'dev-a', (base + 1n).toString(), { temperature: 20, open: false }),
          reading(measurement, 'dev-a', (base + 2_000_000_001n).toString(), { temperature: 21.5, open: true }),
          reading(measurement, "dev-'b", (base + 3n).toString(), { temperature: 19 }),
        ]),
      );
    });

    it('answers ping with the server version', async () => {
      await expect(query.ping()).resolves.toEqual({ version: expect.stringMatching(/^1\./) });
    });

    it('returns the newest point of a device, tags included', async () => {
      const row = await query.latest(measurement, 'dev-a', { epoch: 'ns' });
      expect(row).toEqual({
        time: (base + 2_000_000_001n).toString(),
        temperature: 21.5,
        open: true,
        city: 'lyon',
        site: 'hall',
        device_id: 'dev-a',
        device_type: 'env-sensor',
      });
    });

    it('returns nothing for a device without points, and quotes ids so they cannot inject', async () => {
      await expect(query.latest(measurement, "nobody' OR device_id='dev-a")).resolves.toBeUndefined();
      await expect(query.latest(measurement, "dev-'b")).resolves.toMatchObject({ temperature: 19 });
    });

    it('gives times as RFC3339 with every ns digit by default', async () => {
      const rows = await query.query(`SELECT temperature FROM ${quoteIdent(measurement)} WHERE device_id = 'dev-a'`);
      const seconds = Number(base / 1_000_000_000n);
      expect(rows[0].time).toBe(new Date(seconds * 1000).toISOString().replace('.000Z', '.000000001Z'));
    });

    it('counts points, with or without a tag filter', async () => {
      await expect(query.countPoints(measurement)).resolves.toBe(3);
      await expect(query.countPoints(measurement, { device_id: 'dev-a' })).resolves.toBe(2);
      await expect(query.countPoints(measurement, `"device_id" = 'dev-a' AND time > ${base + 1000n}`)).resolves.toBe(1);
      await expect(query.countPoints(uniqueName('none_'))).resolves.toBe(0);
    });

    it('surfaces a bad query as an error with the server’s message', async () => {
      await expect(query.query('SELEKT nonsense')).rejects.toThrow(/error parsing query/);
    });

    it('creates and drops databases idempotently', async () => {
      const name = `test_${uniqueName()}`;
      await query.createDatabase(name);
      await query.createDatabase(name);
      const names = async () => (await query.query('SHOW DATABASES')).map((r) => r.name);
      expect(await names()).toContain(name);
      await query.dropDatabase(name);
      await query.dropDatabase(name);
      expect(await names()).not.toContain(name);
    });

    it('drops a database’s continuous queries, and only its own, before the database', async () => {
      const [name, other] = [`test_${uniqueName()}`, `test_${uniqueName()}`];
      const cq = (db: string) =>
        `CREATE CONTINUOUS QUERY ${quoteIdent(`cq_${db}`)} ON ${quoteIdent(db)} BEGIN ` +
        `SELECT mean(*) INTO ${quoteIdent(`${db}_1m`)} FROM /.*/ GROUP BY time(1m), * END`;
      for (const db of [name, other]) {
        await query.createDatabase(db);
        await query.query(cq(db), { db });
      }
      const continuousOf = async (db: string) =>
        (await query.series('SHOW CONTINUOUS QUERIES')).find((s) => s.name === db)?.values?.length ?? 0;
      expect([await continuousOf(name), await continuousOf(other)]).toEqual([1, 1]);
      await query.dropContinuousQueries(name);
      expect([await continuousOf(name), await continuousOf(other)]).toEqual([0, 1]);
      await query.dropDatabase(other);
      expect(await continuousOf(other)).toBe(0);
      await query.dropDatabase(name);
    });
  });

  it('measures the write ceiling and stores every line it wrote', async () => {
    const measurement = uniqueName('ceiling_');
    const v1 = new InfluxV1Writer({ url: influx.url, database: influx.database });
    const result = await measureWriteCeiling(v1, {
      lines: 4000,
      batchSize: 1000,
      concurrency: 2,
      measurement,
      devices: 100,
    });
    expect(result).toMatchObject({ lines: 4000, batches: 4, linesPerSecond: expect.any(Number) });
    expect(
      await waitFor(
        () => query.countPoints(measurement),
        (n) => n === 4000,
      ),
    ).toBe(4000);
  });
});
