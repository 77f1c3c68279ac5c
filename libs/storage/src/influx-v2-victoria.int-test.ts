import { uniqueName, waitFor } from '@citypulse/testing';
import { createPointWriter } from './create-point-writer.js';
import { detectInfluxApi } from './detect.js';
import { toLines } from './line-protocol.js';
import { pointWriterContract, type StoredPoint } from './point-writer.contract.js';
import { InfluxV2Writer } from './v2-writer.js';

// Real VictoriaMetrics (scripts/stack.sh: 1.79 on 18428) through the v2 write API.
// Isolation: every test writes its own measurement (a metric-name prefix).
const VICTORIA_URL = process.env.CP_TEST_VICTORIA_URL ?? 'http://127.0.0.1:18428';
const serverUrl = new URL(VICTORIA_URL);
// Whether a rewritten point replaces the first copy depends on how the server was started.
const flags = await (await fetch(`${VICTORIA_URL}/flags`)).text();
const dedup = /-dedup\.minScrapeInterval="(?!0s")[^"]+"/.test(flags);

interface ExportLine {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * /api/v1/export returns raw samples, including the newest (queries hide the last ~30 s).
 * VictoriaMetrics turns `m f=1` into metric `m_f`, so fields are regrouped into points by
 * (labels, timestamp). force_flush makes just-written samples visible to export at once.
 */
async function readBack(measurement: string): Promise<StoredPoint[]> {
  await fetch(`${VICTORIA_URL}/internal/force_flush`).then((r) => r.arrayBuffer());
  const params = new URLSearchParams({ 'match[]': `{__name__=~"${measurement}_.+"}` });
  const text = await (await fetch(`${VICTORIA_URL}/api/v1/export?${params}`)).text();
  const points = new Map<string, StoredPoint>();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const { metric, values, timestamps } = JSON.parse(line) as ExportLine;
    const { __name__: name, ...tags } = metric;
    const field = name.slice(measurement.length + 1);
    const seriesKey = JSON.stringify(Object.entries(tags).sort());
    timestamps.forEach((ms, i) => {
      // A second sample at the same ms in one metric is a stored duplicate: it makes its own point.
      const copy = timestamps.indexOf(ms) === i ? 0 : i;
      const key = `${seriesKey}@${ms}@${copy}`;
      const point = points.get(key) ?? { tags, fields: {}, timeNs: (BigInt(ms) * 1_000_000n).toString() };
      point.fields[field] = values[i];
      points.set(key, point);
    });
  }
  return [...points.values()];
}

async function deleteMeasurements(measurements: string[]): Promise<void> {
  if (measurements.length === 0) return;
  const params = new URLSearchParams({ 'match[]': `{__name__=~"(${measurements.join('|')})_.+"}` });
  await fetch(`${VICTORIA_URL}/api/v1/admin/tsdb/delete_series?${params}`, { method: 'POST' }).then((r) =>
    r.arrayBuffer(),
  );
}

pointWriterContract({
  name: 'InfluxV2Writer → VictoriaMetrics /api/v2/write',
  createWriter: ({ gzipThresholdBytes, url }) =>
    new InfluxV2Writer({ url: url ?? VICTORIA_URL, org: 'citypulse', bucket: 'citypulse', gzipThresholdBytes }),
  serverAddress: { host: serverUrl.hostname, port: Number(serverUrl.port) },
  readBack,
  cleanUp: deleteMeasurements,
  quirks: {
    precision: 'ms',
    booleans: 'number',
    strings: 'zero',
    duplicates: dedup ? 'overwritten' : 'kept',
    badLine: (measurement) => `${measurement} garbage`,
    reportsBadLines: false,
  },
});

describe('VictoriaMetrics specifics', () => {
  it('is detected as v2: its /ping answers 204 without a version header', async () => {
    const ping = await fetch(`${VICTORIA_URL}/ping`);
    expect(ping.status).toBe(204);
    expect(ping.headers.get('x-influxdb-version')).toBeNull();
    await expect(detectInfluxApi(VICTORIA_URL)).resolves.toBe('v2');
  });

  it('takes writes through createPointWriter with api "auto"', async () => {
    const measurement = uniqueName('auto_');
    const writer = createPointWriter({
      url: VICTORIA_URL,
      api: 'auto',
      database: 'unused',
      org: 'citypulse',
      bucket: 'citypulse',
    });
    const lines = toLines([
      {
        deviceId: 'd1',
        deviceType: 't',
        city: 'c',
        site: 's',
        measurement,
        timeNs: `${Date.now() - 60_000}000000`,
        values: { v: 1 },
      },
    ]);
    await writer.write(lines.join('\n'), 1);
    await writer.close();
    expect(
      await waitFor(
        () => readBack(measurement),
        (p) => p.length === 1,
      ),
    ).toHaveLength(1);
    await deleteMeasurements([measurement]);
  });
});
