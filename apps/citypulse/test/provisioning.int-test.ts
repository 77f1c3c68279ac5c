import { connackCode, uniqueName } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/** Bulk provisioning, the paged and filtered device list, PATCH and the catalogue, over real HTTP. */
describe('provisioning and the device registry API', () => {
  let cp: TestCitypulse;
  const run = uniqueName('r');

  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function post(path: string, body: string, contentType: string, token = cp.config.http.adminToken) {
    const response = await fetch(`http://127.0.0.1:${cp.running.httpPort}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  const csv = (rows: string[]) => ['id,type,city,site,name', ...rows].join('\n') + '\n';
  const ids = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${run}-${prefix}-${String(i + 1).padStart(3, '0')}`);

  it('creates devices from a CSV file in one call, returning each secret once, and they can connect', async () => {
    const rows = ids('csv', 40).map(
      (id, i) =>
        `${id},${i % 2 ? 'lift' : 'env-sensor'},${i < 30 ? 'beijing' : 'tianjin'},` +
        `site-${i % 4},${i === 0 ? '"Lobby, ' + 'east"' : ''}`,
    );
    const { status, body } = await post('/devices/bulk', csv(rows), 'text/csv');
    expect(status).toBe(201);
    expect(body.created).toBe(40);
    expect(body.scrypt).toEqual({ N: 1024, r: 8, p: 1 });
    expect(body.devices).toHaveLength(40);
    const first = body.devices[0];
    expect((await cp.api('GET', `/devices/${first.id}`)).body).toMatchObject({
      id: first.id,
      name: 'Lobby, east',
      city: 'beijing',
      credentialVersion: 1,
    });
    expect(JSON.stringify((await cp.api('GET', `/devices/${first.id}`)).body)).not.toContain(first.secret);
    expect(
      await connackCode({ port: cp.running.mqttPort!, clientId: first.id, username: first.id, password: first.secret }),
    ).toBe(0);
  });

  it('answers a CSV with one bad row with 400 naming the row, line and field, and creates none of it', async () => {
    const [a, b, c] = ids('bad', 3);
    const { status, body } = await post(
      '/devices/bulk',
      csv([`${a},lift,beijing,s1,`, `${b},toaster,beijing,s1,`, `${c},lift,beijing,s1,`]),
      'text/csv',
    );
    expect(status).toBe(400);
    expect(body.rows).toEqual([
      { row: 2, line: 3, id: b, fields: [{ field: 'type', problems: [expect.stringContaining('catalogue')] }] },
    ]);
    expect(body.fields).toEqual([{ field: 'rows[2].type', problems: [expect.any(String)] }]);
    expect(body.message).toContain('nothing was created');
    for (const id of [a, c]) expect((await cp.api('GET', `/devices/${id}`)).status).toBe(404);
  });

  it('answers a JSON bulk call containing an existing id with 409 naming the row, and creates none of it', async () => {
    const [fresh] = ids('fresh', 1);
    const [taken] = ids('csv', 1);
    const { status, body } = await cp.api('POST', '/devices/bulk', [
      { id: fresh, type: 'lift', city: 'beijing', site: 's1' },
      { id: taken, type: 'lift', city: 'beijing', site: 's1' },
    ]);
    expect(status).toBe(409);
    expect(body.rows).toEqual([
      { row: 2, id: taken, fields: [{ field: 'id', problems: [`device ${taken} already exists`] }] },
    ]);
    expect((await cp.api('GET', `/devices/${fresh}`)).status).toBe(404);
  });

  it('refuses other media types and malformed bodies with a 4xx naming the problem', async () => {
    expect((await post('/devices/bulk', 'id=1', 'application/x-www-form-urlencoded')).status).toBe(415);
    const header = await post('/devices/bulk', 'id,kind\nx,y\n', 'text/csv');
    expect(header.status).toBe(400);
    expect(header.body.fields).toEqual([
      expect.objectContaining({ field: 'header', problems: expect.arrayContaining(['unknown column "kind"']) }),
    ]);
    expect((await cp.api('POST', '/devices/bulk', { id: 'x' })).body.fields).toEqual([
      expect.objectContaining({ field: 'body' }),
    ]);
  });

  it('pages the list in id order with a total, and filters by city, site, type and online', async () => {
    const page1 = await cp.api('GET', `/devices?city=beijing&limit=10&offset=0`);
    const page3 = await cp.api('GET', `/devices?city=beijing&limit=10&offset=20`);
    expect(page1.body).toMatchObject({ total: 30, offset: 0, limit: 10 });
    expect(page1.body.items.map((d: any) => d.id)).toEqual(ids('csv', 10));
    expect(page3.body.items.map((d: any) => d.id)).toEqual(ids('csv', 30).slice(20));
    expect(page1.body.items[0].presence).toEqual(expect.objectContaining({ online: false }));

    const lifts = await cp.api('GET', `/devices?city=tianjin&type=lift&site=site-1`);
    const expected = ids('csv', 40).filter((_, i) => i >= 30 && i % 2 === 1 && i % 4 === 1);
    expect(lifts.body.items.map((d: any) => d.id)).toEqual(expected);
    // The device of the first test connected and left: nobody is online now.
    expect((await cp.api('GET', `/devices?city=beijing&online=true`)).body.total).toBe(0);
    expect((await cp.api('GET', `/devices?city=beijing&online=false`)).body.total).toBe(30);
    const bad = await cp.api('GET', `/devices?online=maybe&limit=5000`);
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: any) => f.field).sort()).toEqual(['limit', 'online']);
  });

  it('moves a device with PATCH so the filters follow, and refuses changing its id or type', async () => {
    const [id] = ids('csv', 1);
    const moved = await cp.api('PATCH', `/devices/${id}`, { city: 'shijiazhuang', site: 'sjz-1', name: 'Moved' });
    expect(moved.body).toMatchObject({ id, city: 'shijiazhuang', site: 'sjz-1', name: 'Moved' });
    expect((await cp.api('GET', '/devices?city=shijiazhuang')).body.items.map((d: any) => d.id)).toEqual([id]);
    expect((await cp.api('GET', '/devices?city=beijing')).body.total).toBe(29);
    const refused = await cp.api('PATCH', `/devices/${id}`, { type: 'lift' });
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([expect.objectContaining({ field: 'type' })]);
    expect((await cp.api('PATCH', `/devices/nobody-${run}`, { name: 'x' })).status).toBe(404);
  });

  it('answers a path id that cannot be a device id, or a command id that is not a UUID, with a 400 naming it', async () => {
    const bad = encodeURIComponent('no spaces allowed');
    for (const [method, path] of [
      ['GET', `/devices/${bad}`],
      ['PATCH', `/devices/${bad}`],
      ['DELETE', `/devices/${bad}`],
      ['POST', `/devices/${bad}/rotate`],
      ['GET', `/devices/${bad}/shadow`],
      ['GET', `/devices/${bad}/commands`],
    ]) {
      const { status, body } = await cp.api(method, path, method === 'PATCH' ? { name: 'x' } : undefined);
      expect([method, path, status]).toEqual([method, path, 400]);
      expect(body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        fields: [{ field: 'id', problems: [expect.stringContaining('id must be 1-64 characters')] }],
      });
    }
    const [id] = ids('csv', 1);
    const command = await cp.api('GET', `/devices/${id}/commands/not-a-uuid`);
    expect(command.status).toBe(400);
    expect(command.body.fields).toEqual([{ field: 'commandId', problems: ['commandId must be a UUID'] }]);
  });

  it('answers refusals that Nest or the body parser raise with the same error body as its own', async () => {
    const malformed = await post('/devices', '{"id": "abc", "type":', 'application/json');
    expect(malformed).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: 'Bad Request',
        message: expect.any(String),
        fields: [{ field: 'body', problems: [malformed.body.message] }],
      },
    });
    const tooLarge = await post('/devices', JSON.stringify({ name: 'x'.repeat(200_000) }), 'application/json');
    expect(tooLarge).toEqual({
      status: 413,
      body: { statusCode: 413, error: 'Payload Too Large', message: expect.any(String) },
    });
    expect(await cp.api('GET', '/no-such-route')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Cannot GET /no-such-route' },
    });
    expect((await cp.api('GET', '/devices', undefined, 'not-a-token')).body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'invalid token',
    });
  });

  it('lists the catalogue: fields with unit and range, and default rules', async () => {
    const { body } = await cp.api('GET', '/device-types');
    const env = body.items.find((t: any) => t.name === 'env-sensor');
    expect(env.fields.temperature).toMatchObject({ kind: 'number', unit: '°C', min: -40, max: 85 });
    expect(env.defaultRules).toContainEqual(
      expect.objectContaining({ id: 'co2-high', field: 'co2', condition: 'above' }),
    );
    expect((await cp.api('GET', '/device-types/electricity-meter')).body.fields.energy).toMatchObject({
      unit: 'kWh',
      monotonic: true,
    });
    expect((await cp.api('GET', '/device-types/toaster')).status).toBe(404);
  });
});
