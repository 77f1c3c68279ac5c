import { backfillRollups, InfluxQueryClient, showRetentionPolicies, type Series } from '@citypulse/storage';
import { historyLines } from '@citypulse/testing';
import {
  cityDeviceCountQuery,
  cityStatsQuery,
  deviceHistoryQuery,
  toCityIntervals,
  toFieldSeries,
} from '../../api/src/telemetry/telemetry-queries.js';
import { chooseResolution } from '../../api/src/telemetry/resolution.js';
import { RollupCatalog } from '../../api/src/telemetry/rollup-catalog.js';
import { telemetryMeasurements } from '../../ingest/src/retention/retention-plan.js';
import { TestCitypulse } from './harness.js';

/**
 * Retention and rollups on the real InfluxDB 1.6.7: the ingest process sets them up at start, an
 * 8-day history is written with old timestamps and its rollups backfilled, and the telemetry API
 * answers a 7-day chart from the 1-hour rollup and a day from the 1-minute one — the same numbers
 * InfluxDB computes from the raw readings over the same intervals.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();

describe('telemetry from rollups', () => {
  let cp: TestCitypulse;
  const devices = [1, 2, 3].map((n) => ({
    id: `rollup-bj-${n}`,
    type: 'env-sensor',
    city: 'beijing',
    site: 'bj-tower-1',
  }));
  const other = { id: 'rollup-tj-1', type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };
  // Whole hours, ending two hours ago: every rollup interval of the history is complete.
  // On InfluxDB's 2-hour grid (epoch-aligned): at an odd hour a 7-day window would touch 85 buckets, not 84.
  const toMs = Math.floor(Date.now() / (2 * HOUR)) * (2 * HOUR) - 2 * HOUR;
  const fromMs = toMs - 8 * DAY;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_RETENTION_RAW: '30d', CP_RETENTION_1M: '90d', CP_RETENTION_1H: 'INF' }, [
      'ingest',
      'api',
    ]);
    for (const d of [...devices, other]) await cp.provision(d);
    // The ingest process sets retention up in the background at start.
    await cp.retentionReady();
    const history = historyLines(
      [...devices, other].map((d) => ({
        measurement: 'building',
        tags: { city: d.city, site: d.site, device_type: d.type, device_id: d.id },
        fields: { temperature: 'float', humidity: 'float', co2: 'float', occupancy: 'integer' },
      })),
      { fromMs, toMs, stepMs: 7 * 60_000 },
    );
    const response = await fetch(`${cp.config.influx.url}/write?db=${cp.config.influx.database}&precision=ns`, {
      method: 'POST',
      body: history,
    });
    expect(response.status).toBe(204);
    await backfillRollups(cp.influx, {
      database: cp.config.influx.database,
      measurements: { building: telemetryMeasurements().building },
      fromMs,
      toMs,
      chunkMs: 8 * DAY,
    });
  });
  afterAll(async () => {
    await cp?.stop();
  });

  it('sets the configured retention on the database at start', async () => {
    expect(await showRetentionPolicies(cp.influx, cp.config.influx.database)).toEqual([
      { name: 'autogen', duration: '720h0m0s', shardGroupDuration: '24h0m0s', default: true },
      { name: 'rollup_1h', duration: '0s', shardGroupDuration: '168h0m0s', default: false },
      { name: 'rollup_1m', duration: '2160h0m0s', shardGroupDuration: '24h0m0s', default: false },
    ]);
  });

  /** The raw answer for the same window, straight from InfluxDB. */
  const raw = (q: string): Promise<Series[]> => cp.influx.series(q, { epoch: 'ms' });

  function expectSameNumbers(
    actual: Array<{ time: string; mean: number | null }>,
    expected: Array<{ time: string; mean: number | null }>,
  ): void {
    expect(actual.length).toBe(expected.length);
    expect(actual.map((p) => p.time)).toEqual(expected.map((p) => p.time));
    actual.forEach((point, i) => {
      const { mean, ...rest } = expected[i];
      expect(point).toMatchObject(rest);
      if (mean === null) expect(point.mean).toBeNull();
      else expect(point.mean).toBeCloseTo(mean, 9);
    });
  }

  it('answers a 7-day device history from the 1-hour rollup, equal to the raw aggregates', async () => {
    const { status, body } = await cp.api(
      'GET',
      `/telemetry/${devices[0].id}/history?from=${iso(toMs - 7 * DAY)}&to=${iso(toMs)}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ resolution: '1h', every: '2h', from: iso(toMs - 7 * DAY), to: iso(toMs) });
    expect(body.resolutionNote).toBeUndefined();
    const fields = ['temperature', 'humidity', 'co2', 'occupancy'];
    const window = { fromMs: toMs - 7 * DAY, toMs, every: '2h', everyMs: 2 * HOUR };
    const expected = toFieldSeries(fields, await raw(deviceHistoryQuery('building', devices[0].id, fields, window)));
    expect(body.series.map((s: any) => s.field)).toEqual(fields);
    expect(expected[0].points.length).toBe(84);
    for (const [i, series] of body.series.entries()) expectSameNumbers(series.points, expected[i].points);
  });

  it('answers a city aggregate over 7 days from the 1-hour rollup: same stats and reporting devices as raw, other cities left out', async () => {
    const query = `measurement=building&field=occupancy&from=${iso(toMs - 7 * DAY)}&to=${iso(toMs)}&every=6h`;
    const { status, body } = await cp.api('GET', `/telemetry/cities/beijing/aggregate?${query}`);
    expect(status).toBe(200);
    expect(body.resolution).toBe('1h');
    const window = { fromMs: toMs - 7 * DAY, toMs, every: '6h', everyMs: 6 * HOUR };
    const expected = toCityIntervals(
      await raw(cityStatsQuery('building', 'occupancy', 'beijing', window)),
      await raw(cityDeviceCountQuery('building', 'occupancy', 'beijing', window)),
    );
    expect(expected.every((p) => p.devices === 3)).toBe(true);
    expectSameNumbers(body.points, expected);
  });

  it('answers a day at the default 15 minutes from the 1-minute rollup, and an hour from raw readings', async () => {
    const day = await cp.api(
      'GET',
      `/telemetry/${devices[1].id}/history?from=${iso(toMs - DAY)}&to=${iso(toMs)}&fields=temperature`,
    );
    expect(day.body).toMatchObject({ resolution: '1m', every: '15m' });
    const window = { fromMs: toMs - DAY, toMs, every: '15m', everyMs: 15 * 60_000 };
    const [expected] = toFieldSeries(
      ['temperature'],
      await raw(deviceHistoryQuery('building', devices[1].id, ['temperature'], window)),
    );
    expectSameNumbers(day.body.series[0].points, expected.points);

    const hour = await cp.api(
      'GET',
      `/telemetry/${devices[1].id}/history?from=${iso(toMs - HOUR)}&to=${iso(toMs)}&every=1m`,
    );
    expect(hour.body.resolution).toBe('raw');
    expect(hour.body.series[0].points.filter((p: any) => p.mean !== null).length).toBeGreaterThanOrEqual(8);
  });

  it('reads raw readings and says why when the database has no rollups', async () => {
    // The api's own lookup, against a database with only its default policy (as on a server set up by hand).
    const database = `${cp.config.influx.database}_bare`;
    await cp.influx.createDatabase(database);
    try {
      const catalog = new RollupCatalog(new InfluxQueryClient({ url: cp.config.influx.url, database }), {
        ...cp.config,
        influx: { ...cp.config.influx, database },
      });
      const week = { fromMs: toMs - 7 * DAY, toMs, every: '2h', everyMs: 2 * HOUR };
      expect(chooseResolution(week, await catalog.onServer(), Date.now())).toMatchObject({
        resolution: 'raw',
        window: week,
        note: expect.stringContaining('no retention policy rollup_1h'),
      });
      expect(
        chooseResolution(week, await new RollupCatalog(cp.influx, cp.config).onServer(), Date.now()),
      ).toMatchObject({ resolution: '1h' });
    } finally {
      await cp.influx.dropDatabase(database);
    }
  });
});
