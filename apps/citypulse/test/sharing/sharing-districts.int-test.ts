import type { MqttClient } from 'mqtt';
import { waitFor } from '@citypulse/testing';
import { SharingRig, iso, minuteOf, ndjson } from './sharing-rig.js';

/**
 * Per-district totals over real traffic: Tianjin says which of its sites lie in which district
 * (PUT /cities/tianjin/districts); a district-totals share gives Beijing, per district and whole
 * interval, only the sum and mean over the district's devices and how many reported — through
 * /telemetry, /export, SSE and operator MQTT — never a device's reading or id, never a district
 * with fewer devices than agreed, and never the readings of a site in no district.
 */
describe('per-district totals through a share', () => {
  const TICK_MS = 200;
  let rig: SharingRig;
  /** Ten minutes back, on a minute: the stored readings the queries and the export read. */
  const t0 = minuteOf(Date.now()) - 10 * 60_000;
  const range = `from=${iso(t0)}&to=${iso(t0 + 120_000)}`;
  const shares = { all: '', someSites: '' };
  /** Each site's meters' active_power: north = tj-n1 + tj-n2, south = tj-s1, tj-loose in no district. */
  const values: Record<string, number[]> = {
    'tj-n1': [1, 2],
    'tj-n2': [4],
    'tj-s1': [8, 16],
    'tj-loose': [32, 64, 128],
  };
  const districts = [
    { name: 'north', sites: ['tj-n1', 'tj-n2'] },
    { name: 'south', sites: ['tj-s1'] },
  ];

  const putDistricts = (body: unknown, token = rig.tokens.tjAdmin) =>
    rig.cp.api('PUT', '/cities/tianjin/districts', body, token);
  const telemetry = (id: string, query: string, token = rig.tokens.bjOperator) =>
    rig.cp.api(
      'GET',
      `/shares/${id}/telemetry?deviceType=electricity-meter&field=active_power&${query}`,
      undefined,
      token,
    );

  /** Each meter's reading at `ts`: its site's value. */
  async function sendAll(ts: number): Promise<void> {
    await Promise.all(
      rig.meters.map((m) => rig.send(m, ts, values[m.site][rig.meters.filter((o) => o.site === m.site).indexOf(m)])),
    );
  }

  beforeAll(async () => {
    rig = await SharingRig.start({ CP_SHARE_LIVE_TICK_MS: String(TICK_MS) });
    await rig.connectMeters(Object.entries(values).flatMap(([site, v]) => v.map(() => site)));
    expect((await putDistricts({ districts })).status).toBe(200);
    const granularity = { kind: 'district-totals', minIntervalMinutes: 1, minDevices: 3 };
    shares.all = await rig.offer({ granularity });
    shares.someSites = await rig.offer({
      sites: ['tj-n1', 'tj-s1', 'tj-loose'],
      granularity: { ...granularity, minDevices: 2 },
    });
    // First minute: every meter; second minute: only tj-n1's two meters.
    await sendAll(t0 + 10_000);
    const n1 = rig.meters.filter((m) => m.site === 'tj-n1');
    await Promise.all(n1.map((m, i) => rig.send(m, t0 + 70_000, [5, 6][i])));
    await rig.stored(10, t0, t0 + 120_000);
  });
  afterAll(() => rig?.stop());

  it('keeps a city’s districts, set whole by its admin (audited), refusing bad input by field, 404 to other cities', async () => {
    const { status, body } = await rig.cp.api('GET', '/cities/tianjin/districts', undefined, rig.tokens.tjAdmin);
    expect({ status, districts: body.districts }).toEqual({ status: 200, districts });
    for (const [bad, field] of [
      [{ districts: [{ name: 'North!', sites: ['tj-n1'] }] }, 'districts.0.name'],
      [{ districts: [{ name: 'north', sites: [] }] }, 'districts.0.sites'],
      [
        {
          districts: [
            { name: 'north', sites: ['tj-n1'] },
            { name: 'south', sites: ['tj-n1'] },
          ],
        },
        'districts.1.sites',
      ],
      [
        {
          districts: [
            { name: 'north', sites: ['tj-n1'] },
            { name: 'north', sites: ['tj-n2'] },
          ],
        },
        'districts.1.name',
      ],
      [{ districts: 'north' }, 'districts'],
    ] as const) {
      const refused = await putDistricts(bad);
      expect({ bad, status: refused.status, fields: refused.body.fields?.map((f: any) => f.field) }).toEqual({
        bad,
        status: 400,
        fields: [field],
      });
    }
    expect((await rig.cp.api('GET', '/cities/tianjin/districts', undefined, rig.tokens.bjOperator)).status).toBe(404);
    expect((await putDistricts({ districts: [] }, rig.tokens.bjAdmin)).status).toBe(404);
    expect(
      (await rig.cp.api('GET', '/cities/tianjin/districts', undefined, rig.tokens.tjAdmin)).body.districts,
    ).toEqual(districts);
    const audit = await rig.cp.api('GET', '/audit?target=districts:tianjin');
    expect(audit.body.items.map((e: any) => e.action)).toEqual(['districts.put']);
  });

  it('documents the districts routes and the district-totals granularity in the OpenAPI document', async () => {
    const document: any = await (await fetch(`http://127.0.0.1:${rig.cp.running.httpPort}/docs/json`)).json();
    expect(Object.keys(document.paths['/cities/{city}/districts']).sort()).toEqual(['get', 'put']);
    const { DistrictDto, GranularityDto, OfferShareDto, PutDistrictsDto } = document.components.schemas;
    expect(PutDistrictsDto).toMatchObject({
      required: ['districts'],
      properties: { districts: { type: 'array', items: { $ref: '#/components/schemas/DistrictDto' } } },
    });
    expect(DistrictDto).toMatchObject({ required: ['name', 'sites'], properties: { sites: { type: 'array' } } });
    expect(JSON.stringify(OfferShareDto.properties.granularity)).toContain('#/components/schemas/GranularityDto');
    expect(GranularityDto.properties.kind.enum).toEqual(['raw', 'aggregate', 'site-totals', 'district-totals']);
    expect(GranularityDto.properties).toHaveProperty('minDevices');
  });

  it('refuses a district-totals offer of fewer than two devices per district, naming the field', async () => {
    const { status, body } = await rig.propose({
      granularity: { kind: 'district-totals', minIntervalMinutes: 1, minDevices: 1 },
    });
    expect({ status, fields: body.fields?.map((f: any) => f.field) }).toEqual({
      status: 400,
      fields: ['granularity.minDevices'],
    });
  });

  it('answers per-district totals of districts where enough devices reported; a site in no district counts in none', async () => {
    const all = await telemetry(shares.all, `${range}&every=1m`);
    expect(all.status).toBe(200);
    // north: tj-n1's two meters and tj-n2's one; south has two (fewer than 3); tj-loose's three are in no district.
    expect(all.body).toMatchObject({ source: { city: 'tianjin', share: shares.all }, by: 'district', minDevices: 3 });
    expect(all.body.totals).toEqual([{ time: iso(t0), district: 'north', sum: 7, mean: 7 / 3, devices: 3 }]);
    // A share of some sites: a district's total is over the share's sites in it only.
    const some = await telemetry(shares.someSites, `${range}&every=1m`);
    expect(some.body.totals).toEqual([
      { time: iso(t0), district: 'north', sum: 3, mean: 1.5, devices: 2 },
      { time: iso(t0), district: 'south', sum: 24, mean: 12, devices: 2 },
      { time: iso(t0 + 60_000), district: 'north', sum: 11, mean: 5.5, devices: 2 },
    ]);
    const text = JSON.stringify([all.body, some.body]);
    expect(rig.meters.filter((m) => text.includes(m.id))).toEqual([]);
    expect(text).not.toMatch(/tj-n1|tj-s1|tj-loose|deviceId/);

    // Device-level, site-level or another city's reads are refused.
    for (const [query, field] of [
      [`${range}&every=raw`, 'every'],
      [`${range}&every=30s`, 'every'],
      [`${range}&site=tj-n1`, 'site'],
    ]) {
      const refused = await telemetry(shares.all, query);
      expect({ query, status: refused.status, field: refused.body.fields?.[0]?.field }).toEqual({
        query,
        status: 400,
        field,
      });
    }
    expect((await telemetry(shares.all, range, rig.tokens.hbOperator)).status).toBe(404);
  });

  it('exports per-district totals, per district and whole interval, with no device or site column', async () => {
    const exported = await rig.exportOf(shares.someSites, `deviceType=electricity-meter&${range}&format=ndjson`);
    expect(exported.status).toBe(200);
    const row = (time: number, district: string, sum: number, devices: number) => ({
      time: iso(time).replace('.000Z', 'Z'),
      city: 'tianjin',
      district,
      device_type: 'electricity-meter',
      active_power_sum: sum,
      active_power_mean: sum / devices,
      active_power_devices: devices,
    });
    expect(ndjson(exported.text)).toEqual([
      row(t0, 'north', 3, 2),
      row(t0 + 60_000, 'north', 11, 2),
      row(t0, 'south', 24, 2),
    ]);
    const csv = await rig.exportOf(shares.all, `deviceType=electricity-meter&${range}`);
    expect(csv.text.trim().split('\r\n')).toEqual([
      'time,city,district,device_type,active_power_sum,active_power_mean,active_power_devices',
      `${iso(t0).replace('.000Z', 'Z')},tianjin,north,electricity-meter,7,${7 / 3},3`,
    ]);
    expect((await rig.exportOf(shares.all, `deviceType=electricity-meter&${range}&site=tj-n1`)).status).toBe(400);
  });

  it('streams live per-district totals over SSE and MQTT', async () => {
    const lastMinute = minuteOf(Date.now()) - 60_000;
    const stream = await rig.sse(shares.all);
    const bjMqtt: MqttClient = await rig.operatorLogin();
    const mqttSeen: any[] = [];
    bjMqtt.on('message', (_topic, payload) => mqttSeen.push(JSON.parse(payload.toString())));
    await bjMqtt.subscribeAsync(`shares/${shares.all}/#`);
    await sendAll(lastMinute + 5_000);
    const north = (messages: any[]) => messages.flatMap((m) => m.totals ?? []).filter((t: any) => t.devices === 3);
    const sse = await waitFor(
      () => stream.messages.filter((m) => m.event === 'totals').map((m) => m.data),
      (messages) => north(messages).length > 0,
      { what: 'north’s live total over SSE' },
    );
    const mqtt = await waitFor(
      () => mqttSeen,
      (messages) => north(messages).length > 0,
      { what: 'north’s live total over MQTT' },
    );
    stream.close();
    await bjMqtt.endAsync();
    for (const m of [...sse, ...mqtt]) {
      expect(m).toMatchObject({ kind: 'totals', by: 'district', every: '1m', source: { share: shares.all } });
      expect(new Set(m.totals.map((t: any) => t.district))).toEqual(new Set(['north']));
    }
    expect(north(sse).at(-1)).toEqual({ time: iso(lastMinute), district: 'north', sum: 7, mean: 7 / 3, devices: 3 });
    const text = JSON.stringify([sse, mqtt]);
    expect(rig.meters.filter((m) => text.includes(m.id))).toEqual([]);
  });

  it('groups by the districts as they are now, and audits every read through the share', async () => {
    // tj-loose joins south: its readings count there from now on, over any range.
    await putDistricts({ districts: [districts[0], { name: 'south', sites: ['tj-s1', 'tj-loose'] }] });
    const { body } = await telemetry(shares.all, `${range}&every=1m`);
    expect(body.totals).toEqual([
      { time: iso(t0), district: 'north', sum: 7, mean: 7 / 3, devices: 3 },
      { time: iso(t0), district: 'south', sum: 248, mean: 248 / 5, devices: 5 },
    ]);
    const audit = await rig.cp.api('GET', `/shares/${shares.all}/audit`, undefined, rig.tokens.tjAdmin);
    const actions = audit.body.items.map((e: any) => e.action);
    for (const action of ['share.read', 'share.export', 'share.stream', 'share.subscribe'])
      expect(actions).toContain(action);
  });
});
