import type { Reading } from '@citypulse/contracts';
import { createPointWriter, toLineProtocol } from '@citypulse/storage';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Sharing between cities against real Redis and InfluxDB, the API in-process: Tianjin offers
 * Beijing its meters' active_power as aggregates over at least 15 minutes, for one hour of data.
 * Nothing beyond the agreement (other fields, raw readings, finer intervals, other times, other
 * device types) reaches Beijing; Hebei learns nothing; revoking ends access at once; every read
 * is in the share's audit.
 */
describe('sharing agreements between cities', () => {
  let cp: TestCitypulse;
  // A whole hour, three hours back: the share covers [t0, t0 + 1 h).
  const t0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const min = (m: number) => t0 + m * 60_000;
  const tokens: Record<'tjAdmin' | 'bjAdmin' | 'bjOperator' | 'hbAdmin' | 'hbOperator', string> = {} as never;
  let shareId: string;
  let successfulReads = 0;

  function meter(id: string, city: string, site: string, atMs: number, active_power: number, voltage: number): Reading {
    return {
      deviceId: id,
      deviceType: 'electricity-meter',
      city,
      site,
      measurement: 'energy',
      timeNs: `${atMs}000000`,
      values: { active_power, voltage },
    };
  }

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['api']);
    const { influx } = cp.config;
    const writer = createPointWriter({
      url: influx.url,
      api: influx.api,
      database: influx.database,
      org: influx.org,
      bucket: influx.bucket,
      token: influx.token,
    });
    const inverter: Reading = {
      deviceId: 'tj-pv-1',
      deviceType: 'solar-inverter',
      city: 'tianjin',
      site: 'tj-port',
      measurement: 'energy',
      timeNs: `${min(2)}000000`,
      values: { ac_power: 77 },
    };
    const readings = [
      meter('tj-m-1', 'tianjin', 'tj-port', min(1), 10, 230),
      meter('tj-m-2', 'tianjin', 'tj-port', min(2), 20, 231), // first quarter
      meter('tj-m-1', 'tianjin', 'tj-port', min(16), 30, 232), // second quarter
      meter('tj-m-1', 'tianjin', 'tj-port', min(50), 40, 233), // fourth quarter
      meter('tj-m-1', 'tianjin', 'tj-port', min(70), 999, 240), // after the share's range
      meter('tj-m-1', 'tianjin', 'tj-port', min(-5), 888, 240), // before it
      meter('bj-m-1', 'beijing', 'bj-tower', min(1), 555, 230), // Beijing's own: never in Tianjin's share
      inverter,
    ];
    await writer.write(toLineProtocol(readings), readings.length);
    await writer.close();
    tokens.tjAdmin = await cp.issueToken(uniqueName('tj-admin-'), 'admin', ['tianjin']);
    tokens.bjAdmin = await cp.issueToken(uniqueName('bj-admin-'), 'admin', ['beijing']);
    tokens.bjOperator = await cp.issueToken(uniqueName('bj-op-'), 'operator', ['beijing']);
    tokens.hbAdmin = await cp.issueToken(uniqueName('hb-admin-'), 'admin', ['hebei']);
    tokens.hbOperator = await cp.issueToken(uniqueName('hb-op-'), 'operator', ['hebei']);
  });
  afterAll(async () => {
    await cp?.stop();
  });

  const offer = () => ({
    fromCity: 'tianjin',
    toCity: 'beijing',
    deviceTypes: ['electricity-meter'],
    fields: ['active_power'],
    granularity: { kind: 'aggregate', minIntervalMinutes: 15 },
    from: iso(t0),
    to: iso(min(60)),
    expiresAt: iso(Date.now() + 86_400_000),
  });
  const read = (query: string, token: string) =>
    cp.api('GET', `/shares/${shareId}/telemetry?deviceType=electricity-meter&${query}`, undefined, token);
  /** A read that must succeed: counted, for the audit check. */
  async function readOk(query: string, token = tokens.bjOperator) {
    const { status, body } = await read(query, token);
    expect({ query, status }).toEqual({ query, status: 200 });
    successfulReads++;
    return body;
  }

  it('refuses a bad offer with a 400 naming the field, and an offer of another city’s data', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ toCity: 'Bei jing' }, 'toCity'],
      [{ toCity: 'tianjin' }, 'toCity'],
      [{ deviceTypes: ['toaster'] }, 'deviceTypes'],
      [{ fields: ['nonsense'] }, 'fields'],
      [{ granularity: { kind: 'aggregate' } }, 'granularity'],
      [{ granularity: undefined }, 'granularity'],
      [{ toCity: undefined }, 'toCity'],
      [{ to: iso(t0 - 1) }, 'to'],
      [{ expiresAt: iso(Date.now() - 1000) }, 'expiresAt'],
      [{ from: 'yesterday' }, 'from'],
    ];
    for (const [change, field] of cases) {
      const { status, body } = await cp.api('POST', '/shares', { ...offer(), ...change }, tokens.tjAdmin);
      expect({ change, status, field: body.fields?.[0]?.field.split('.')[0] }).toEqual({ change, status: 400, field });
    }
    const foreign = await cp.api('POST', '/shares', offer(), tokens.bjAdmin);
    expect({ status: foreign.status, field: foreign.body.fields?.[0]?.field }).toEqual({
      status: 403,
      field: 'fromCity',
    });
    expect(
      (await cp.api('POST', '/shares', { ...offer(), fromCity: 'beijing', toCity: 'tianjin' }, tokens.bjOperator))
        .status,
    ).toBe(403);
  });

  it('offers a share that Beijing sees but cannot read before accepting, and that Hebei never learns of', async () => {
    const { status, body } = await cp.api('POST', '/shares', offer(), tokens.tjAdmin);
    expect(status).toBe(201);
    expect(body).toMatchObject({ fromCity: 'tianjin', toCity: 'beijing', status: 'offered', acceptedBy: [] });
    shareId = body.id;

    expect(
      (await cp.api('GET', '/shares', undefined, tokens.bjOperator)).body.items.map((s: any) => [s.id, s.status]),
    ).toEqual([[shareId, 'offered']]);
    expect(
      (await read(`field=active_power&from=${iso(t0)}&to=${iso(min(60))}&every=15m`, tokens.bjOperator)).status,
    ).toBe(404);

    expect((await cp.api('GET', '/shares', undefined, tokens.hbAdmin)).body).toMatchObject({ items: [], total: 0 });
    for (const [method, path] of [
      ['GET', `/shares/${shareId}`],
      ['POST', `/shares/${shareId}/accept`],
      ['POST', `/shares/${shareId}/revoke`],
      ['GET', `/shares/${shareId}/audit`],
      ['GET', `/shares/${shareId}/telemetry?deviceType=electricity-meter&field=active_power`],
    ]) {
      const { status, body: answer } = await cp.api(method, path, method === 'POST' ? {} : undefined, tokens.hbAdmin);
      expect({ path, status, message: answer.message }).toEqual({
        path,
        status: 404,
        message: `share ${shareId} not found`,
      });
    }
  });

  it('is accepted by the receiving city’s admin only', async () => {
    expect((await cp.api('POST', `/shares/${shareId}/accept`, {}, tokens.tjAdmin)).status).toBe(403);
    expect((await cp.api('POST', `/shares/${shareId}/accept`, {}, tokens.bjOperator)).status).toBe(403);
    const { status, body } = await cp.api('POST', `/shares/${shareId}/accept`, {}, tokens.bjAdmin);
    expect({ status, state: body.status, acceptedBy: body.acceptedBy }).toEqual({
      status: 200,
      state: 'accepted',
      acceptedBy: ['beijing'],
    });
  });

  it('answers Beijing’s operator aggregates of the shared field over the shared range only, marked with source city and share', async () => {
    // Asked for two hours from 15 min before the share's range: clipped to its hour.
    const body = await readOk(`field=active_power&from=${iso(min(-15))}&to=${iso(min(105))}&every=15m`);
    expect(body).toEqual({
      source: { city: 'tianjin', share: shareId },
      deviceType: 'electricity-meter',
      field: 'active_power',
      from: iso(t0),
      to: iso(min(60)),
      every: '15m',
      points: [
        { time: iso(t0), mean: 15, min: 10, max: 20 },
        { time: iso(min(15)), mean: 30, min: 30, max: 30 },
        { time: iso(min(30)), mean: null, min: null, max: null },
        { time: iso(min(45)), mean: 40, min: 40, max: 40 },
      ],
    });
    // Hourly is coarser than 15 min: allowed. A partial interval at an edge is left out (fewer minutes than agreed).
    expect((await readOk(`field=active_power&from=${iso(t0)}&to=${iso(min(60))}&every=1h`)).points).toEqual([
      { time: iso(t0), mean: 25, min: 10, max: 40 },
    ]);
    const edges = await readOk(`field=active_power&from=${iso(min(5))}&to=${iso(min(40))}&every=15m`);
    expect([edges.from, edges.to, edges.points.map((p: any) => p.time)]).toEqual([
      iso(min(15)),
      iso(min(30)),
      [iso(min(15))],
    ]);
  });

  it('refuses what the agreement does not give with a 400 naming the field', async () => {
    const range = `from=${iso(t0)}&to=${iso(min(60))}`;
    const cases: Array<[string, string]> = [
      [`field=voltage&${range}&every=15m`, 'field'], // a field the share does not include
      [`field=active_power&${range}&every=raw`, 'every'], // raw readings of an aggregate-only share
      [`field=active_power&${range}&every=5m`, 'every'], // finer than 15 min
      [`field=active_power&${range}&every=900s`.replace('900s', '899s'), 'every'],
      [`field=active_power&from=${iso(min(70))}&to=${iso(min(130))}&every=15m`, 'from'], // after the shared range
      [`field=active_power&from=${iso(min(1))}&to=${iso(min(14))}&every=15m`, 'from'], // no whole interval
      [`field=active_power&${range}&bogus=1`, 'bogus'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await read(query, tokens.bjOperator);
      expect({ query, status, fields: body.fields?.map((f: any) => f.field) }).toEqual({
        query,
        status: 400,
        fields: [field],
      });
    }
    const otherType = await cp.api(
      'GET',
      `/shares/${shareId}/telemetry?deviceType=solar-inverter&field=ac_power&from=${iso(t0)}&` +
        `to=${iso(min(60))}&every=15m`,
      undefined,
      tokens.bjOperator,
    );
    expect({ status: otherType.status, fields: otherType.body.fields?.map((f: any) => f.field) }).toEqual({
      status: 400,
      fields: ['deviceType'],
    });
    // Hebei, neither offering nor receiving: 404, as for a share that does not exist.
    expect((await read(`field=active_power&${range}&every=15m`, tokens.hbOperator)).status).toBe(404);
  });

  it('lists every read in the share’s audit, for the offering city only', async () => {
    expect((await cp.api('GET', `/shares/${shareId}/audit`, undefined, tokens.bjAdmin)).status).toBe(403);
    const { status, body } = await cp.api('GET', `/shares/${shareId}/audit`, undefined, tokens.tjAdmin);
    expect(status).toBe(200);
    const reads = body.items.filter((e: any) => e.action === 'share.read');
    expect(reads).toHaveLength(successfulReads);
    expect(reads.every((e: any) => e.target === `share:${shareId}` && e.actor.startsWith('bj-op-'))).toBe(true);
    expect(reads.map((e: any) => e.detail)).toContain(
      `beijing read electricity-meter.active_power ${iso(t0)} – ${iso(min(60))} every 15m`,
    );
    expect(body.items.map((e: any) => e.action).filter((a: string) => a !== 'share.read')).toEqual([
      'share.accept',
      'share.offer',
    ]);
  });

  it('ends access at once when the offering city revokes', async () => {
    const query = `field=active_power&from=${iso(t0)}&to=${iso(min(60))}&every=15m`;
    await readOk(query);
    expect((await cp.api('POST', `/shares/${shareId}/revoke`, {}, tokens.bjAdmin)).status).toBe(403);
    const revoked = await cp.api('POST', `/shares/${shareId}/revoke`, {}, tokens.tjAdmin);
    expect({ status: revoked.status, state: revoked.body.status }).toEqual({ status: 200, state: 'revoked' });
    expect((await read(query, tokens.bjOperator)).status).toBe(404);
    expect((await cp.api('POST', `/shares/${shareId}/accept`, {}, tokens.bjAdmin)).status).toBe(409);
    const audit = (await cp.api('GET', `/shares/${shareId}/audit`, undefined, tokens.tjAdmin)).body.items;
    expect(audit[0].action).toBe('share.revoke');
    expect(audit.filter((e: any) => e.action === 'share.read')).toHaveLength(successfulReads);
  });

  it('shares raw readings with the whole cluster, each city accepting for itself, limited to the shared sites', async () => {
    const { body: share } = await cp.api(
      'POST',
      '/shares',
      { ...offer(), toCity: '*', fields: ['active_power'], sites: ['tj-port'], granularity: { kind: 'raw' } },
      tokens.tjAdmin,
    );
    expect((await cp.api('GET', `/shares/${share.id}`, undefined, tokens.hbOperator)).body.status).toBe('offered');
    const path =
      `/shares/${share.id}/telemetry?deviceType=electricity-meter&field=active_power&from=${iso(min(-30))}&` +
      `to=${iso(min(90))}&every=raw`;
    expect((await cp.api('GET', path, undefined, tokens.hbOperator)).status).toBe(404);
    expect((await cp.api('POST', `/shares/${share.id}/accept`, {}, tokens.hbAdmin)).body.acceptedBy).toEqual(['hebei']);
    const { status, body } = await cp.api('GET', path, undefined, tokens.hbOperator);
    expect(status).toBe(200);
    expect(body.truncated).toBe(false);
    expect(body.readings).toEqual([
      { time: iso(min(1)), deviceId: 'tj-m-1', site: 'tj-port', value: 10 },
      { time: iso(min(2)), deviceId: 'tj-m-2', site: 'tj-port', value: 20 },
      { time: iso(min(16)), deviceId: 'tj-m-1', site: 'tj-port', value: 30 },
      { time: iso(min(50)), deviceId: 'tj-m-1', site: 'tj-port', value: 40 },
    ]);
    // Beijing has not accepted this one: nothing yet.
    expect((await cp.api('GET', path, undefined, tokens.bjOperator)).status).toBe(404);
    const other = await cp.api('GET', `${path}&site=tj-airport`, undefined, tokens.hbOperator);
    expect({ status: other.status, fields: other.body.fields?.map((f: any) => f.field) }).toEqual({
      status: 400,
      fields: ['site'],
    });
  });

  it('answers nothing once the share expires', async () => {
    const { body: share } = await cp.api(
      'POST',
      '/shares',
      { ...offer(), expiresAt: iso(Date.now() + 2500) },
      tokens.tjAdmin,
    );
    await cp.api('POST', `/shares/${share.id}/accept`, {}, tokens.bjAdmin);
    const path =
      `/shares/${share.id}/telemetry?deviceType=electricity-meter&field=active_power&from=${iso(t0)}&` +
      `to=${iso(min(60))}&every=15m`;
    expect((await cp.api('GET', path, undefined, tokens.bjOperator)).status).toBe(200);
    await waitFor(
      async () => (await cp.api('GET', path, undefined, tokens.bjOperator)).status,
      (status) => status === 404,
      { what: 'the expired share to answer 404', timeoutMs: 6000 },
    );
    expect((await cp.api('GET', `/shares/${share.id}`, undefined, tokens.bjOperator)).body.status).toBe('expired');
    expect((await cp.api('POST', `/shares/${share.id}/accept`, {}, tokens.bjAdmin)).status).toBe(409);
  });
});
