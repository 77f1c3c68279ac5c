import type { Reading } from '@citypulse/contracts';
import { createPointWriter, toLineProtocol } from '@citypulse/storage';
import { uniqueName } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * GET /telemetry/export against the real InfluxDB 1.6.7: exact files for a small set of points
 * written at known times (both formats, each filter), tenancy, a 400 naming each bad field, the
 * row limit (refused up front, and cut off with a trailer when the count could not see it), the
 * audit entry, and a 501 on VictoriaMetrics.
 */
describe('telemetry export', () => {
  let cp: TestCitypulse;
  const bj1 = { id: uniqueName('bj-a-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' };
  const bj2 = { id: uniqueName('bj-b-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-2' };
  const hvac = { id: uniqueName('bj-h-'), type: 'hvac-unit', city: 'beijing', site: 'bj-tower-1' };
  const tj1 = { id: uniqueName('tj-a-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  /** A time as InfluxDB writes it (RFC 3339, fraction without trailing zeros). */
  const stored = (ms: number) => iso(ms).replace(/\.?0+Z$/, 'Z');
  const window = `from=${iso(t0)}&to=${iso(t0 + 60_000)}`;

  function reading(device: typeof bj1, atMs: number, values: Reading['values']): Reading {
    return {
      deviceId: device.id,
      deviceType: device.type,
      city: device.city,
      site: device.site,
      measurement: 'building',
      timeNs: `${atMs}000000`,
      values,
    };
  }
  const env = (temperature: number, co2: number) => ({ temperature, humidity: 40, co2, occupancy: 2 });

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['api']);
    for (const d of [bj1, bj2, hvac, tj1]) await cp.provision(d);
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
      reading(bj1, t0 + 1_000, env(20.5, 500)),
      reading(bj2, t0 + 1_500, env(19, 450)),
      reading(bj1, t0 + 2_000, env(21, 510)),
      reading(tj1, t0 + 1_000, env(30, 800)),
      // A stored string with a comma and quotes: RFC 4180 quoting end to end.
      reading(hvac, t0 + 3_000, { supply_temp: 45.5, return_temp: 38, power: 12, mode: 'heat, "eco"', fault: false }),
      reading(hvac, t0 + 4_000, { supply_temp: 46, return_temp: 38.5, power: 13, mode: 'cool', fault: true }),
      // Sparse fields (an hour later): two points carry only temperature, two only co2, so counting
      // per field says 2 rows where the export has 4.
      reading(bj1, t0 + 3_600_000, { temperature: 1 }),
      reading(bj1, t0 + 3_601_000, { temperature: 2 }),
      reading(bj1, t0 + 3_602_000, { co2: 3 }),
      reading(bj1, t0 + 3_603_000, { co2: 4 }),
    ];
    await writer.write(toLineProtocol(readings), readings.length);
    await writer.close();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function get(path: string, token = cp.config.http.adminToken) {
    const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
  }
  const ndjson = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));

  it('exports a city’s points of a type as RFC 4180 CSV, oldest first, with a header row and a file name', async () => {
    const { status, headers, text } = await get(`/telemetry/export?city=beijing&type=env-sensor&${window}`);
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    const stamp = (ms: number) =>
      iso(ms)
        .replace(/\.\d+Z$/, 'Z')
        .replace(/[-:]/g, '');
    expect(headers.get('content-disposition')).toBe(
      `attachment; filename="citypulse-beijing-env-sensor-${stamp(t0)}-${stamp(t0 + 60_000)}.csv"`,
    );
    expect(text).toBe(
      [
        'time,city,site,device_id,device_type,temperature,humidity,co2,occupancy',
        `${stored(t0 + 1_000)},beijing,bj-tower-1,${bj1.id},env-sensor,20.5,40,500,2`,
        `${stored(t0 + 1_500)},beijing,bj-tower-2,${bj2.id},env-sensor,19,40,450,2`,
        `${stored(t0 + 2_000)},beijing,bj-tower-1,${bj1.id},env-sensor,21,40,510,2`,
        '',
      ].join('\r\n'),
    );
  });

  it('quotes cells holding commas and quotes, and writes booleans, in CSV and NDJSON', async () => {
    const csv = await get(`/telemetry/export?city=beijing&type=hvac-unit&fields=mode,fault,power&${window}`);
    expect(csv.text.split('\r\n')).toEqual([
      'time,city,site,device_id,device_type,mode,fault,power',
      `${stored(t0 + 3_000)},beijing,bj-tower-1,${hvac.id},hvac-unit,"heat, ""eco""",false,12`,
      `${stored(t0 + 4_000)},beijing,bj-tower-1,${hvac.id},hvac-unit,cool,true,13`,
      '',
    ]);
    const lines = await get(`/telemetry/export?city=beijing&type=hvac-unit&fields=mode,fault&format=ndjson&${window}`);
    expect(lines.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(lines.headers.get('content-disposition')).toMatch(/\.ndjson"$/);
    expect(ndjson(lines.text)).toEqual([
      {
        time: stored(t0 + 3_000),
        city: 'beijing',
        site: 'bj-tower-1',
        device_id: hvac.id,
        device_type: 'hvac-unit',
        mode: 'heat, "eco"',
        fault: false,
      },
      {
        time: stored(t0 + 4_000),
        city: 'beijing',
        site: 'bj-tower-1',
        device_id: hvac.id,
        device_type: 'hvac-unit',
        mode: 'cool',
        fault: true,
      },
    ]);
  });

  it('narrows by site, by device (its city and type implied) and to the fields asked, in their order', async () => {
    const bySite = ndjson(
      (
        await get(
          `/telemetry/export?city=beijing&type=env-sensor&site=bj-tower-2&fields=co2,temperature&` +
            `format=ndjson&${window}`,
        )
      ).text,
    );
    expect(bySite).toEqual([
      {
        time: stored(t0 + 1_500),
        city: 'beijing',
        site: 'bj-tower-2',
        device_id: bj2.id,
        device_type: 'env-sensor',
        co2: 450,
        temperature: 19,
      },
    ]);

    const byDevice = ndjson(
      (await get(`/telemetry/export?device=${bj1.id}&fields=temperature&format=ndjson&${window}`)).text,
    );
    expect(byDevice.map((r) => [r.device_id, r.temperature])).toEqual([
      [bj1.id, 20.5],
      [bj1.id, 21],
    ]);

    // A field a point lacks is null (NDJSON) or empty (CSV).
    const sparse = `from=${iso(t0 + 3_600_000)}&to=${iso(t0 + 3_660_000)}`;
    expect(
      ndjson((await get(`/telemetry/export?device=${bj1.id}&fields=temperature,co2&format=ndjson&${sparse}`)).text).map(
        (r) => [r.temperature, r.co2],
      ),
    ).toEqual([
      [1, null],
      [2, null],
      [null, 3],
      [null, 4],
    ]);
    expect(
      (await get(`/telemetry/export?device=${bj1.id}&fields=temperature,co2&${sparse}`)).text.split('\r\n')[3],
    ).toMatch(/,env-sensor,,3$/);
  });

  it('keeps a city token inside its city: another city and its devices are 404, and its own city is the default', async () => {
    const tianjin = await cp.issueToken(uniqueName('tj-export-'), 'operator', ['tianjin']);
    const other = await get(`/telemetry/export?city=beijing&type=env-sensor&${window}`, tianjin);
    expect([other.status, other.json().message]).toEqual([404, 'city beijing not found']);
    const foreignDevice = await get(`/telemetry/export?device=${bj1.id}&${window}`, tianjin);
    const noDevice = await get(`/telemetry/export?device=tianjin-nobody&${window}`, tianjin);
    expect([foreignDevice.status, foreignDevice.json().message]).toEqual([404, `device ${bj1.id} not found`]);
    expect([noDevice.status, noDevice.json().message]).toEqual([404, 'device tianjin-nobody not found']);
    // Its own device asked for under another city is not found there either.
    expect((await get(`/telemetry/export?device=${tj1.id}&city=beijing&${window}`, tianjin)).status).toBe(404);

    const own = ndjson(
      (await get(`/telemetry/export?type=env-sensor&fields=temperature&format=ndjson&${window}`, tianjin)).text,
    );
    expect(own).toEqual([
      {
        time: stored(t0 + 1_000),
        city: 'tianjin',
        site: 'tj-port-1',
        device_id: tj1.id,
        device_type: 'env-sensor',
        temperature: 30,
      },
    ]);

    const several = await cp.issueToken(uniqueName('two-cities-'), 'operator', ['beijing', 'tianjin']);
    expect((await get(`/telemetry/export?type=env-sensor&${window}`, several)).json().fields).toEqual([
      { field: 'city', problems: ['city is required: this token covers several cities (beijing, tianjin)'] },
    ]);
  });

  it('answers a bad query with a 400 naming the field', async () => {
    const base = `/telemetry/export?city=beijing&type=env-sensor&${window}`;
    const cases: Array<[string, string]> = [
      [`${base}&format=xml`, 'format'],
      [`${base}&limit=0`, 'limit'],
      [`${base}&limit=1.5`, 'limit'],
      [`${base}&limit=1000001`, 'limit'],
      [`/telemetry/export?city=beijing&type=env-sensor&from=yesterday`, 'from'],
      [`/telemetry/export?city=beijing&type=env-sensor&to=2026-13-45T00:00:00Z`, 'to'],
      [`/telemetry/export?city=beijing&type=env-sensor&from=${iso(t0)}&to=${iso(t0)}`, 'from'],
      [`/telemetry/export?city=beijing&${window}`, 'type'],
      [`/telemetry/export?city=beijing&type=toaster&${window}`, 'type'],
      [`/telemetry/export?device=${bj1.id}&type=hvac-unit&${window}`, 'type'],
      [`${base}&fields=temperature,nonsense`, 'fields'],
      [`${base}&fields=Temperature;DROP`, 'fields'],
      [`/telemetry/export?city=Bei%20jing&type=env-sensor`, 'city'],
      [`/telemetry/export?device=${encodeURIComponent('bad id!')}`, 'device'],
      [`${base}&site=${encodeURIComponent('a b')}`, 'site'],
      [`/telemetry/export?type=env-sensor&${window}`, 'city'],
      [`${base}&bogus=1`, 'bogus'],
    ];
    for (const [path, field] of cases) {
      const { status, json } = await get(path);
      expect({ path, status, fields: json().fields?.map((f: { field: string }) => f.field) }).toEqual({
        path,
        status: 400,
        fields: [field],
      });
    }
  });

  it('refuses an export matching more rows than its limit before sending any, naming limit and the count', async () => {
    const { status, json } = await get(`/telemetry/export?city=beijing&type=env-sensor&limit=2&${window}`);
    expect(status).toBe(400);
    expect(json().fields).toEqual([
      {
        field: 'limit',
        problems: [
          '3 rows match this export; at most 2: narrow from/to, site, device or fields, or raise limit ' +
            '(CP_EXPORT_MAX_ROWS=1000000)',
        ],
      },
    ]);
    expect((await get(`/telemetry/export?city=beijing&type=env-sensor&limit=3&${window}`)).status).toBe(200);
  });

  it('cuts off an export whose rows pass the limit while streaming: the rows up to it, a trailer saying why, and an aborted transfer', async () => {
    // Per-field counts see 2 rows here, the stream finds 4.
    const sparse =
      `device=${bj1.id}&fields=temperature,co2&limit=3&from=${iso(t0 + 3_600_000)}&` + `to=${iso(t0 + 3_660_000)}`;
    for (const format of ['csv', 'ndjson'] as const) {
      const response = await fetch(
        `http://127.0.0.1:${cp.running.httpPort}/telemetry/export?${sparse}&format=${format}`,
        { headers: { authorization: `Bearer ${cp.config.http.adminToken}` } },
      );
      expect(response.status).toBe(200);
      const { text, failed } = await readUntilCut(response);
      expect(failed).toBe(true);
      const lines = text.split(/\r?\n/).filter((l) => l !== '');
      const trailer = lines.at(-1)!;
      if (format === 'csv') {
        expect(lines).toHaveLength(1 + 3 + 1);
        expect(trailer).toMatch(
          /^#error,row_limit_exceeded,"more than 3 rows match this export; the first 3 were sent\. Narrow/,
        );
      } else {
        expect(lines).toHaveLength(3 + 1);
        expect(JSON.parse(trailer) as unknown).toEqual({
          error: 'row_limit_exceeded',
          message: expect.stringMatching(/^more than 3 rows match this export; the first 3 were sent/),
        });
      }
    }
  });

  it('records who exported what in the audit log', async () => {
    const operator = uniqueName('auditor-');
    const token = await cp.issueToken(operator, 'operator', ['tianjin']);
    expect((await get(`/telemetry/export?type=env-sensor&fields=temperature&${window}`, token)).status).toBe(200);
    const { body } = await cp.api('GET', `/audit?actor=${operator}`);
    expect(body.items).toEqual([
      expect.objectContaining({
        actor: operator,
        action: 'telemetry.export',
        target: 'telemetry:tianjin',
        detail: `csv of env-sensor in tianjin, fields temperature, ${iso(t0)} to ${iso(t0 + 60_000)}, 1 rows counted`,
      }),
    ]);
  });

  it('answers 501 naming why when the storage is VictoriaMetrics, which answers no InfluxQL', async () => {
    const vm = await TestCitypulse.start(
      {
        CP_INFLUX_URL: process.env.CP_TEST_VICTORIA_URL ?? `http://127.0.0.1:${process.env.CP_STACK_VM_PORT ?? 18428}`,
        CP_INFLUX_API: 'v2',
      },
      ['api'],
    );
    try {
      const response = await fetch(
        `http://127.0.0.1:${vm.running.httpPort}/telemetry/export?city=beijing&type=env-sensor`,
        { headers: { authorization: `Bearer ${vm.config.http.adminToken}` } },
      );
      expect(response.status).toBe(501);
      expect(((await response.json()) as { message: string }).message).toMatch(/needs InfluxQL .*VictoriaMetrics/);
    } finally {
      await vm.stop();
    }
  });
});

/** The body until the server ends or cuts the transfer; `failed`: it was cut (no final chunk). */
async function readUntilCut(response: Response): Promise<{ text: string; failed: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, failed: false };
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    return { text, failed: true };
  }
}
