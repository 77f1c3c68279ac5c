import type { Reading } from '@citypulse/contracts';
import { freePort, uniqueName, waitFor } from '@citypulse/testing';
import { startFakeInflux, startProxy, type FakeInfluxServer } from './test-servers.js';
import { toLine, toLines } from './line-protocol.js';
import type { PointWriter } from './point-writer.js';
import { ResilientWriter, type ResilientWriterOptions } from './resilient-writer.js';

/*
 * One contract for the PointWriter port, run against every adapter and server
 * (STYLE.md: "One contract suite per port, run against every adapter"). Each test writes into
 * its own measurement, so tests never see each other's points.
 */

/** A point as the server gives it back. */
export interface StoredPoint {
  tags: Record<string, string>;
  fields: Record<string, unknown>;
  /** Epoch ns as a decimal string, at the server's precision. */
  timeNs: string;
}

export interface PointWriterContractTarget {
  /** For test names, e.g. "InfluxV1Writer → InfluxDB 1.6.7". */
  name: string;
  /** A writer for the server under test, or for `url` (a fake server scripting failures). */
  createWriter(options: { gzipThresholdBytes: number; url?: string }): PointWriter;
  /** The host:port of the real server, for the outage test's proxy. */
  serverAddress: { host: string; port: number };
  /** Every point stored in `measurement`. */
  readBack(measurement: string): Promise<StoredPoint[]>;
  /** Removes what the suite wrote, when the server has no per-test database to drop. */
  cleanUp?(measurements: string[]): Promise<void>;
  /** Where servers legitimately differ; each difference is documented in docs/storage.md. */
  quirks: {
    /** Time precision kept: InfluxDB keeps ns, VictoriaMetrics ms. */
    precision: 'ns' | 'ms';
    /** Booleans come back as booleans (InfluxDB) or as 1/0 (VictoriaMetrics). */
    booleans: 'boolean' | 'number';
    /** String fields come back (InfluxDB) or are stored as 0 (VictoriaMetrics 1.79). */
    strings: 'stored' | 'zero';
    /**
     * Writing a point again overwrites it (InfluxDB; VictoriaMetrics started with
     * -dedup.minScrapeInterval=1ms) or stores a second sample (VictoriaMetrics by default).
     */
    duplicates: 'overwritten' | 'kept';
    /**
     * A line the server will not store, for a measurement whose field `v` already holds floats.
     * 1.x answers 400 "partial write" and counts it; VictoriaMetrics skips a bad line and answers 204.
     */
    badLine(measurement: string, timeNs: string): string;
    reportsBadLines: boolean;
  };
}

const silentLogger = { error: () => undefined };

/** Recent, distinct timestamps with a sub-ms part (so precision loss shows), one device per 10 points. */
function readings(measurement: string, count: number, startNs = nowNs() - BigInt(count) * 1_000_000n): Reading[] {
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `d${i % 10}`,
    deviceType: 'env-sensor',
    city: 'paris',
    site: 'tower-1',
    measurement,
    timeNs: (startNs + BigInt(i) * 1_000_000n + 123_456n).toString(),
    values: { v: i + 0.5 },
  }));
}

function nowNs(): bigint {
  // Whole ms, minus a minute: recent enough for any retention, never in the future.
  return BigInt(Date.now() - 60_000) * 1_000_000n;
}

function atPrecision(timeNs: string, precision: 'ns' | 'ms'): string {
  return precision === 'ns' ? timeNs : ((BigInt(timeNs) / 1_000_000n) * 1_000_000n).toString();
}

export function pointWriterContract(target: PointWriterContractTarget): void {
  describe(`PointWriter contract: ${target.name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const used: string[] = [];
    const newMeasurement = () => {
      const name = uniqueName('contract_');
      used.push(name);
      return name;
    };
    afterAll(async () => target.cleanUp?.(used));

    function resilient(
      options: { gzipThresholdBytes?: number; url?: string } & ResilientWriterOptions = {},
    ): ResilientWriter {
      const { gzipThresholdBytes = 0, url, ...rest } = options;
      const writer = new ResilientWriter(target.createWriter({ gzipThresholdBytes, url }), {
        initialDelayMs: 20,
        maxDelayMs: 200,
        logger: silentLogger,
        ...rest,
      });
      cleanups.push(() => writer.close());
      return writer;
    }

    async function fake(...args: Parameters<typeof startFakeInflux>): Promise<FakeInfluxServer> {
      const server = await startFakeInflux(...args);
      cleanups.push(() => server.close());
      return server;
    }

    const storedCount = async (measurement: string, atLeast: number) =>
      (
        await waitFor(
          () => target.readBack(measurement),
          (p) => p.length >= atLeast,
          { what: `${atLeast} points in ${measurement}` },
        )
      ).length;

    it('stores a batch of 5,000 lines completely in one request', async () => {
      const measurement = newMeasurement();
      const outcome = await resilient().writeBatch(toLines(readings(measurement, 5000)));
      expect(outcome).toEqual({ written: 5000, dropped: 0, droppedReasons: [], attempts: 1 });
      expect(await storedCount(measurement, 5000)).toBe(5000);
    });

    it('round-trips tags (escaped characters included), floats, whole numbers and booleans', async () => {
      const measurement = newMeasurement();
      const reading: Reading = {
        deviceId: uniqueName('dev-'),
        deviceType: 'env sensor=v2',
        city: 'São Paulo, SP',
        site: 'tower 1,west=2',
        measurement,
        timeNs: (nowNs() + 987_654_321n).toString(),
        values: { temperature: 21.5, co2: 600, delta: -0.001, big: 1e21, open: true, alarm: false },
      };
      await resilient().writeBatch([toLine(reading)!]);
      const [point] = await waitFor(
        () => target.readBack(measurement),
        (p) => p.length === 1,
      );
      expect(point.tags).toEqual({
        city: 'São Paulo, SP',
        device_id: reading.deviceId,
        device_type: 'env sensor=v2',
        site: 'tower 1,west=2',
      });
      const [yes, no] = target.quirks.booleans === 'boolean' ? [true, false] : [1, 0];
      expect(point.fields).toEqual({ temperature: 21.5, co2: 600, delta: -0.001, big: 1e21, open: yes, alarm: no });
      expect(point.timeNs).toBe(atPrecision(reading.timeNs, target.quirks.precision));
    });

    it(`stores string fields ${target.quirks.strings === 'stored' ? 'as written' : 'as 0 (server quirk)'}`, async () => {
      const measurement = newMeasurement();
      const status = 'ok "quoted" \\ back\nslash';
      await resilient().writeBatch(toLines([{ ...readings(measurement, 1)[0], values: { status } }]));
      const [point] = await waitFor(
        () => target.readBack(measurement),
        (p) => p.length === 1,
      );
      // Line breaks are written as the two characters \n (one point, one physical line).
      expect(point.fields.status).toBe(target.quirks.strings === 'stored' ? 'ok "quoted" \\ back\\nslash' : 0);
    });

    const overwrites = target.quirks.duplicates === 'overwritten';
    it(
      overwrites
        ? 'does not duplicate points written twice: identity is measurement, tags and time'
        : 'keeps both copies of a point written twice (server quirk: no deduplication configured)',
      async () => {
        const measurement = newMeasurement();
        const lines = toLines(readings(measurement, 100));
        await resilient().writeBatch(lines);
        await resilient().writeBatch(lines);
        await storedCount(measurement, 100);
        // Give a late duplicate the chance to show up before asserting on it.
        await new Promise((r) => setTimeout(r, 1000));
        expect(await target.readBack(measurement)).toHaveLength(overwrites ? 100 : 200);
      },
    );

    it.each([
      ['off', 0],
      ['on', 1],
    ])('stores every line with gzip %s', async (_label, gzipThresholdBytes) => {
      const measurement = newMeasurement();
      const outcome = await resilient({ gzipThresholdBytes }).writeBatch(toLines(readings(measurement, 300)));
      expect(outcome.written).toBe(300);
      expect(await storedCount(measurement, 300)).toBe(300);
    });

    it('gzips exactly the bodies above the threshold', async () => {
      const server = await fake();
      const writer = resilient({ url: server.url, gzipThresholdBytes: 2000 });
      const lines = toLines(readings('m', 100));
      await writer.writeBatch(lines.slice(0, 5)); // ~500 chars
      await writer.writeBatch(lines); // ~10 kB
      expect(server.stored.map((w) => w.contentEncoding)).toEqual([undefined, 'gzip']);
      expect(server.stored[1].lines).toEqual(lines);
      expect(server.stored[1].wireBytes).toBeLessThan(lines.join('\n').length / 3);
    });

    // writeText: the lines already joined, as the ingest worker passes hand-off entries' texts.
    const writeAs = {
      writeBatch: (writer: ResilientWriter, lines: string[]) => writer.writeBatch(lines),
      writeText: (writer: ResilientWriter, lines: string[]) => writer.writeText(lines.join('\n'), lines.length),
    };

    const badLineOutcome = target.quirks.reportsBadLines
      ? 'and reports the bad one dropped'
      : '(the server skips the bad one silently)';
    it.each(Object.keys(writeAs) as Array<keyof typeof writeAs>)(
      `stores the good lines of a batch with one bad line ${badLineOutcome}, through %s`,
      async (method) => {
        const measurement = newMeasurement();
        const [seed, ...good] = toLines(readings(measurement, 101));
        const writer = resilient();
        await writer.writeBatch([seed]);
        const bad = target.quirks.badLine(measurement, (nowNs() + 555n).toString());
        const batch = [...good.slice(0, 50), bad, ...good.slice(50)];

        const outcome = await writeAs[method](writer, batch);

        if (target.quirks.reportsBadLines) {
          expect(outcome).toMatchObject({ written: 100, dropped: 1 });
          expect(outcome.droppedReasons).toHaveLength(1);
        } else {
          expect(outcome).toMatchObject({ written: 101, dropped: 0 });
        }
        expect(await storedCount(measurement, 101)).toBe(101);
      },
    );

    it('keeps retrying an unreachable server with backoff until aborted, then rejects with an AbortError', async () => {
      const retries: Array<number | string> = [];
      const stop = new AbortController();
      // A port nothing listens on: every attempt is refused.
      const writer = resilient({
        url: `http://127.0.0.1:${await freePort()}`,
        onRetry: (status) => retries.push(status),
      });
      setTimeout(() => stop.abort(), 500);
      await expect(writer.writeBatch(toLines(readings('m', 10)), { signal: stop.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(retries.length).toBeGreaterThan(1);
      expect(new Set(retries)).toEqual(new Set(['network']));
    });

    it('keeps retrying while the server is down and stores the batch once it is back', async () => {
      const measurement = newMeasurement();
      const port = await freePort(); // nothing listens there
      let attempts = 0;
      let proxy: { close(): void } | undefined;
      const writer = resilient({
        url: `http://127.0.0.1:${port}`,
        onRetry: () => {
          // After a few refused attempts the "server comes back": a TCP proxy to the real one.
          if (++attempts === 3) proxy = startProxy(port, target.serverAddress);
        },
      });
      cleanups.push(async () => proxy?.close());
      const outcome = await writer.writeBatch(toLines(readings(measurement, 200)));
      expect(outcome.written).toBe(200);
      expect(outcome.attempts).toBeGreaterThan(3);
      expect(await storedCount(measurement, 200)).toBe(200);
    });

    it.each(Object.keys(writeAs) as Array<keyof typeof writeAs>)(
      'splits a batch the server finds too large (413) until every part fits, writing each line once, through %s',
      async (method) => {
        const limit = 2_000;
        const server = await fake((write) =>
          write.lines.join('\n').length > limit ? { status: 413, body: '{"error":"Request Entity Too Large"}' } : {},
        );
        const lines = toLines(readings('m', 200)); // ~20 kB
        const outcome = await writeAs[method](resilient({ url: server.url }), lines);
        expect(outcome).toMatchObject({ written: 200, dropped: 0 });
        expect(server.stored.flatMap((w) => w.lines)).toEqual(lines);
        expect(server.stored.every((w) => w.lines.join('\n').length <= limit)).toBe(true);
      },
    );

    it('drops, and reports, a single line too large for the server', async () => {
      const server = await fake((write) => (write.lines.join('\n').length > 500 ? { status: 413 } : {}));
      const huge = toLine({ ...readings('m', 1)[0], values: { note: 'x'.repeat(1000) } })!;
      const small = toLines(readings('m', 3));
      const outcome = await resilient({ url: server.url }).writeBatch([small[0], huge, small[1], small[2]]);
      expect(outcome).toMatchObject({ written: 3, dropped: 1 });
      expect(server.stored.flatMap((w) => w.lines)).toEqual(small);
    });

    it('waits as long as Retry-After says on 429, then writes the batch', async () => {
      const server = await fake((_write, index) =>
        index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : {},
      );
      const retries: Array<[number | string, number]> = [];
      const started = Date.now();
      const outcome = await resilient({
        url: server.url,
        onRetry: (status, delayMs) => retries.push([status, delayMs]),
      }).writeBatch(toLines(readings('m', 10)));
      expect(retries).toEqual([[429, 1000]]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
      expect(outcome).toMatchObject({ written: 10, attempts: 2 });
      expect(server.stored).toHaveLength(1);
    });

    it('reads the dropped count of a partial-write answer from the adapter’s error body', async () => {
      const body = JSON.stringify({
        error:
          'partial write: field type conflict: input field "v" on measurement "m" is type string, already ' +
          'exists as type float dropped=2',
      });
      const server = await fake((_write, index) => (index === 0 ? { status: 400, body } : {}));
      const dropped: string[] = [];
      const outcome = await resilient({
        url: server.url,
        onDropped: (count, category) => dropped.push(`${count} ${category}`),
      }).writeBatch(toLines(readings('m', 10)));
      expect(outcome).toMatchObject({ written: 8, dropped: 2, attempts: 1 });
      expect(dropped).toEqual(['2 field_type_conflict']);
    });

    it('fails loudly on 401 and keeps the batch: retried slowly, never dropped', async () => {
      const server = await fake((_write, index) =>
        index < 2 ? { status: 401, body: '{"error":"authorization failed"}' } : {},
      );
      const errors: string[] = [];
      const outcome = await resilient({
        url: server.url,
        logger: { error: (_obj, msg) => errors.push(msg) },
      }).writeBatch(toLines(readings('m', 10)));
      expect(errors).toHaveLength(2);
      expect(errors[0]).toContain('authorization failed');
      expect(outcome).toMatchObject({ written: 10, dropped: 0, attempts: 3 });
    });
  });
}
