import type { Reading } from '@citypulse/contracts';
import { deviceTopic } from '@citypulse/contracts';
import { createPointWriter, toLineProtocol } from '@citypulse/storage';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Telemetry queries against the real InfluxDB: readings written with the storage writer at known
 * times (exact expectations per interval) and one published over MQTT through the whole path.
 */
describe('telemetry queries: history and city aggregates', () => {
  let cp: TestCitypulse;
  const bj1 = { id: uniqueName('bj-a-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' };
  const bj2 = { id: uniqueName('bj-b-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-2' };
  const tj1 = { id: uniqueName('tj-a-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };
  const secrets: Record<string, string> = {};
  // Whole minutes, ten minutes ago: GROUP BY time(1m) intervals start exactly here.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();

  function reading(device: typeof bj1, atMs: number, temperature: number): Reading {
    return {
      deviceId: device.id,
      deviceType: device.type,
      city: device.city,
      site: device.site,
      measurement: 'building',
      timeNs: `${atMs}000000`,
      values: { temperature, humidity: 40, co2: 500, occupancy: 1 },
    };
  }

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    for (const d of [bj1, bj2, tj1]) secrets[d.id] = await cp.provision(d);
    const { influx } = cp.config;
    const writer = createPointWriter({
      url: influx.url,
      api: influx.api,
      database: influx.database,
      org: influx.org,
      bucket: influx.bucket,
      token: influx.token,
    });
    const readings = [
      reading(bj1, t0 + 5_000, 20),
      reading(bj1, t0 + 35_000, 22), // first minute
      // second minute: nothing from bj1
      reading(bj1, t0 + 125_000, 30), // third minute
      reading(bj2, t0 + 10_000, 10),
      reading(tj1, t0 + 10_000, 99),
    ];
    await writer.write(toLineProtocol(readings), readings.length);
    await writer.close();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function cityToken(name: string, cities: string[]): Promise<string> {
    const { status, body } = await cp.api('POST', '/tokens', { name, role: 'operator', cities });
    expect(status).toBe(201);
    return body.token as string;
  }

  it('returns mean, min and max per interval with null for an interval without readings, in exactly the documented shape', async () => {
    const { status, body } = await cp.api(
      'GET',
      `/telemetry/${bj1.id}/history?from=${iso(t0)}&to=${iso(t0 + 180_000)}&every=1m&fields=temperature`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      deviceId: bj1.id,
      measurement: 'building',
      from: iso(t0),
      to: iso(t0 + 180_000),
      every: '1m',
      resolution: 'raw',
      series: [
        {
          field: 'temperature',
          points: [
            { time: iso(t0), mean: 21, min: 20, max: 22 },
            { time: iso(t0 + 60_000), mean: null, min: null, max: null },
            { time: iso(t0 + 120_000), mean: 30, min: 30, max: 30 },
          ],
        },
      ],
    });
  });

  it('defaults to the last hour at 30 s (about 120 points) over every numeric field, and includes a reading just published over MQTT', async () => {
    const device = await cp.connectDevice(bj1.id, secrets[bj1.id]);
    await device.publishAsync(
      deviceTopic(bj1.id, 'telemetry'),
      JSON.stringify({ values: { temperature: 26.5, humidity: 45, co2: 700, occupancy: 3 } }),
      { qos: 1 },
    );
    await device.endAsync();

    const body = await waitFor(
      async () => (await cp.api('GET', `/telemetry/${bj1.id}/history`)).body,
      (b) => b.series?.[0]?.points.some((p: any) => p.mean === 26.5),
      { what: 'the published reading in the history' },
    );
    expect(body.every).toBe('30s');
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(3_600_000);
    expect(body.series.map((s: any) => s.field)).toEqual(['temperature', 'humidity', 'co2', 'occupancy']);
    expect(body.series[0].points.length).toBeGreaterThanOrEqual(120);
    expect(body.series[0].points.length).toBeLessThanOrEqual(121);
    // At 30 s, the first minute's two readings fall into intervals of their own.
    const at = (ms: number) => body.series[0].points.find((p: any) => p.time === iso(ms));
    expect([at(t0), at(t0 + 30_000)]).toEqual([
      { time: iso(t0), mean: 20, min: 20, max: 20 },
      { time: iso(t0 + 30_000), mean: 22, min: 22, max: 22 },
    ]);
    expect(body.series[2].points.filter((p: any) => p.mean !== null).map((p: any) => p.mean)).toContain(700);
  });

  it('answers a bad query with a 400 naming the field', async () => {
    const day = `from=${iso(t0 - 86_400_000)}&to=${iso(t0)}`;
    const cases: Array<[string, string]> = [
      ['every=5x', 'every'],
      ['every=0s', 'every'],
      [`${day}&every=10s`, 'every'], // 8,640 intervals: above the bound
      ['from=yesterday', 'from'],
      ['to=2026-13-45T00:00:00Z', 'to'],
      [`from=${iso(t0)}&to=${iso(t0 - 1000)}`, 'from'],
      ['fields=temperature,nonsense', 'fields'],
      ['fields=Temperature;DROP', 'fields'],
      ['bogus=1', 'bogus'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await cp.api('GET', `/telemetry/${bj1.id}/history?${query}`);
      expect({ query, status, fields: body.fields?.map((f: any) => f.field) }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
    }
    const bound = await cp.api('GET', `/telemetry/${bj1.id}/history?${day}&every=10s`);
    expect(bound.body.message).toMatch(/at most 2000/);
    expect((await cp.api('GET', `/telemetry/${encodeURIComponent('bad id!')}/history`)).body.fields).toEqual([
      expect.objectContaining({ field: 'deviceId' }),
    ]);
  });

  it('aggregates one field across a city’s devices per interval, with how many devices reported', async () => {
    const { status, body } = await cp.api(
      'GET',
      `/telemetry/cities/beijing/aggregate?measurement=building&field=temperature&from=${iso(t0)}&` +
        `to=${iso(t0 + 180_000)}&every=1m`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      city: 'beijing',
      measurement: 'building',
      field: 'temperature',
      from: iso(t0),
      to: iso(t0 + 180_000),
      every: '1m',
      resolution: 'raw',
      points: [
        { time: iso(t0), mean: expect.closeTo((20 + 22 + 10) / 3, 9), min: 10, max: 22, devices: 2 },
        { time: iso(t0 + 60_000), mean: null, min: null, max: null, devices: 0 },
        { time: iso(t0 + 120_000), mean: 30, min: 30, max: 30, devices: 1 },
      ],
    });
  });

  it('names measurement and field when the aggregate asks for something that is not stored', async () => {
    const base = `/telemetry/cities/beijing/aggregate?from=${iso(t0)}&to=${iso(t0 + 180_000)}`;
    expect((await cp.api('GET', `${base}&measurement=weather&field=temperature`)).body.fields).toEqual([
      expect.objectContaining({ field: 'measurement' }),
    ]);
    expect((await cp.api('GET', `${base}&measurement=building&field=mode`)).body.fields).toEqual([
      expect.objectContaining({ field: 'field' }),
    ]);
    expect((await cp.api('GET', `${base}&measurement=building`)).body.fields).toEqual([
      expect.objectContaining({ field: 'field' }),
    ]);
    expect(
      (await cp.api('GET', `/telemetry/cities/Bei%20jing/aggregate?measurement=building&field=temperature`)).body
        .fields,
    ).toEqual([expect.objectContaining({ field: 'city' })]);
  });

  it('keeps a city-scoped token inside its cities: another city’s device and aggregate are 404', async () => {
    const tianjin = await cityToken('tj-telemetry', ['tianjin']);
    const window = `from=${iso(t0)}&to=${iso(t0 + 60_000)}&every=1m`;
    expect((await cp.api('GET', `/telemetry/${bj1.id}/history?${window}`, undefined, tianjin)).status).toBe(404);
    expect((await cp.api('GET', `/telemetry/${bj1.id}/latest`, undefined, tianjin)).status).toBe(404);
    expect(
      (
        await cp.api(
          'GET',
          `/telemetry/cities/beijing/aggregate?measurement=building&field=temperature&${window}`,
          undefined,
          tianjin,
        )
      ).status,
    ).toBe(404);

    const own = await cp.api(
      'GET',
      `/telemetry/cities/tianjin/aggregate?measurement=building&field=temperature&${window}`,
      undefined,
      tianjin,
    );
    expect(own.status).toBe(200);
    expect(own.body.points).toEqual([{ time: iso(t0), mean: 99, min: 99, max: 99, devices: 1 }]);
    const history = await cp.api(
      'GET',
      `/telemetry/${tj1.id}/history?${window}&fields=temperature`,
      undefined,
      tianjin,
    );
    expect(history.body.series[0].points).toEqual([{ time: iso(t0), mean: 99, min: 99, max: 99 }]);
  });
});
