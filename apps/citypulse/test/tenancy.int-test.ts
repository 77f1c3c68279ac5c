import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Cities are tenants: API tokens scoped to cities see and touch only their devices, and operator
 * MQTT logins made with such a token receive only their cities' streams and can never publish.
 */
describe('city tenancy: API tokens and operator streams', () => {
  let cp: TestCitypulse;
  const clients: MqttClient[] = [];
  const bj = { id: uniqueName('bj-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' };
  const tj = { id: uniqueName('tj-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    for (const d of [bj, tj]) secrets[d.id] = await cp.provision(d);
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await cp?.stop();
  });

  async function token(name: string, role: 'admin' | 'operator', cities?: string[]): Promise<string> {
    const { status, body } = await cp.api('POST', '/tokens', { name, role, ...(cities ? { cities } : {}) });
    expect(status).toBe(201);
    return body.token as string;
  }
  async function operatorLogin(name: string, secret: string, clientId = `operator:${name}`): Promise<MqttClient> {
    const client = await mqtt.connectAsync(cp.mqttUrl, {
      clientId,
      username: `operator:${name}`,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(client);
    return client;
  }
  async function device(d: { id: string }): Promise<MqttClient> {
    const client = await cp.connectDevice(d.id, secrets[d.id]);
    clients.push(client);
    return client;
  }

  it('shows a token once, lists tokens without it, and refuses a duplicate name or a bad role naming the field', async () => {
    const secret = await token('listing-check', 'operator', ['beijing']);
    expect(secret).toMatch(/^cpt_/);
    const { body } = await cp.api('GET', '/tokens');
    expect(body.items).toContainEqual({
      name: 'listing-check',
      role: 'operator',
      cities: ['beijing'],
      createdAt: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(body).toMatchObject({ total: body.items.length, offset: 0, limit: 100 });
    expect((await cp.api('GET', '/tokens?limit=1')).body.items).toHaveLength(1);
    expect((await cp.api('GET', '/tokens?limit=abc')).body.fields).toEqual([
      expect.objectContaining({ field: 'limit' }),
    ]);
    expect((await cp.api('DELETE', '/tokens/Not%20A%20Name')).body.fields).toEqual([
      expect.objectContaining({ field: 'name' }),
    ]);
    expect((await cp.api('DELETE', '/tokens/no-such-token')).status).toBe(404);
    expect((await cp.api('POST', '/tokens', { name: 'listing-check', role: 'operator' })).status).toBe(409);
    const bad = await cp.api('POST', '/tokens', { name: 'x', role: 'root' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([expect.objectContaining({ field: 'role' })]);
  });

  it('lets a city-scoped token list and read only its city’s devices: another city’s device is 404', async () => {
    const tianjin = await token('tj-ops', 'operator', ['tianjin']);
    const list = await cp.api('GET', '/devices', undefined, tianjin);
    expect(list.status).toBe(200);
    expect(list.body.items.map((d: any) => d.id)).toEqual([tj.id]);
    expect(list.body.total).toBe(1);
    expect((await cp.api('GET', '/devices?city=beijing', undefined, tianjin)).body).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await cp.api('GET', `/devices/${bj.id}`, undefined, tianjin)).status).toBe(404);
    expect((await cp.api('GET', `/devices/${tj.id}`, undefined, tianjin)).status).toBe(200);
    expect(await cp.api('GET', '/presence/counts', undefined, tianjin)).toMatchObject({
      status: 200,
      body: { tianjin: { online: expect.any(Number), offline: expect.any(Number) } },
    });
    expect(Object.keys((await cp.api('GET', '/presence/counts', undefined, tianjin)).body)).toEqual(['tianjin']);
  });

  it('keeps operator tokens read-only and city admins inside their cities', async () => {
    const operator = await token('bj-viewer', 'operator', ['beijing']);
    expect((await cp.api('DELETE', `/devices/${bj.id}`, undefined, operator)).status).toBe(403);
    expect((await cp.api('POST', `/devices/${bj.id}/rotate`, undefined, operator)).status).toBe(403);
    expect((await cp.api('POST', '/tokens', { name: 'sneaky', role: 'admin' }, operator)).status).toBe(403);

    const cityAdmin = await token('tj-admin', 'admin', ['tianjin']);
    expect((await cp.api('DELETE', `/devices/${bj.id}`, undefined, cityAdmin)).status).toBe(404);
    expect((await cp.api('PATCH', `/devices/${bj.id}`, { name: 'mine now' }, cityAdmin)).status).toBe(404);
    expect((await cp.api('POST', `/devices/${bj.id}/revoke`, undefined, cityAdmin)).status).toBe(404);
    const outside = await cp.api(
      'POST',
      '/devices',
      { id: uniqueName('x-'), type: 'lift', city: 'beijing', site: 's' },
      cityAdmin,
    );
    expect(outside.status).toBe(403);
    expect(outside.body.fields).toEqual([expect.objectContaining({ field: 'city' })]);
    expect((await cp.api('PATCH', `/devices/${tj.id}`, { city: 'beijing' }, cityAdmin)).status).toBe(403);
    expect((await cp.api('PATCH', `/devices/${tj.id}`, { name: 'Port sensor' }, cityAdmin)).body).toMatchObject({
      id: tj.id,
      name: 'Port sensor',
    });
    expect((await cp.api('POST', '/tokens', { name: 'escalate', role: 'admin' }, cityAdmin)).status).toBe(403);
  });

  it('delivers to a Beijing operator login only Beijing devices’ telemetry, and a cluster-wide one everything', async () => {
    const beijing = await operatorLogin('bj-stream', await token('bj-stream', 'operator', ['beijing']));
    const everyone = await operatorLogin(
      'all-stream',
      await token('all-stream', 'operator'),
      'operator:all-stream:console-1',
    );
    const seen = { beijing: [] as string[], everyone: [] as string[] };
    beijing.on('message', (topic) => seen.beijing.push(topic));
    everyone.on('message', (topic) => seen.everyone.push(topic));
    await beijing.subscribeAsync('devices/+/telemetry', { qos: 1 });
    await everyone.subscribeAsync('devices/+/telemetry');

    const [bjDevice, tjDevice] = [await device(bj), await device(tj)];
    for (let i = 0; i < 3; i++) {
      await tjDevice.publishAsync(
        deviceTopic(tj.id, 'telemetry'),
        JSON.stringify({ values: { temperature: 20 + i } }),
        { qos: 1 },
      );
      await bjDevice.publishAsync(
        deviceTopic(bj.id, 'telemetry'),
        JSON.stringify({ values: { temperature: 20 + i } }),
        { qos: 1 },
      );
    }
    await waitFor(
      () => seen.everyone.length,
      (n) => n === 6,
      { what: 'all six readings at the cluster-wide operator' },
    );
    await waitFor(
      () => seen.beijing.length,
      (n) => n === 3,
      { what: 'Beijing’s three readings' },
    );
    // The Tianjin readings arrived at the cluster-wide login first; give any stray one time to show.
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.beijing).toEqual([1, 2, 3].map(() => deviceTopic(bj.id, 'telemetry')));
  });

  it('hides other cities’ telemetry and rejections from a city-scoped token', async () => {
    const tianjin = await token('tj-reader', 'operator', ['tianjin']);
    for (const d of [bj, tj]) {
      const client = await device(d);
      await client.publishAsync(deviceTopic(d.id, 'telemetry'), JSON.stringify({ values: { temprature: 20 } }), {
        qos: 1,
      });
    }
    await waitFor(
      async () => (await cp.api('GET', '/rejections')).body.counts.byDevice,
      (c) => c[bj.id] >= 1 && c[tj.id] >= 1,
      { what: 'both rejections counted' },
    );
    const scoped = await cp.api('GET', '/rejections', undefined, tianjin);
    expect(scoped.body.items.map((i: any) => i.deviceId)).toEqual([tj.id]);
    expect(scoped.body.counts).toEqual({ byDevice: { [tj.id]: 1 } });
    expect((await cp.api('GET', `/rejections?deviceId=${bj.id}`, undefined, tianjin)).status).toBe(404);
    expect((await cp.api('GET', `/telemetry/${bj.id}/latest`, undefined, tianjin)).status).toBe(404);
  });

  it('never lets an operator login publish, subscribe to commands, or take over a device’s session', async () => {
    const secret = await token('curious-ops', 'operator', ['beijing']);
    const op = await operatorLogin('curious-ops', secret);
    await expect(op.subscribeAsync([deviceTopic(bj.id, 'commands'), 'devices/#'])).rejects.toMatchObject({
      packet: { granted: [128, 128] },
    });
    const watcher = await operatorLogin('bj-watch', await token('bj-watch', 'operator', ['beijing']));
    const received: string[] = [];
    watcher.on('message', (topic) => received.push(topic));
    await watcher.subscribeAsync(`devices/${bj.id}/telemetry`);
    const closed = new Promise<void>((resolve) => op.once('close', () => resolve()));
    op.publish(deviceTopic(bj.id, 'telemetry'), JSON.stringify({ values: { temperature: 99 } }), { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toEqual([]);
    // Device ids cannot contain ':', so an operator client id can never be a device's.
    await expect(
      mqtt.connectAsync(cp.mqttUrl, {
        clientId: bj.id,
        username: 'operator:curious-ops',
        password: secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toMatchObject({ code: 2 });
    await expect(
      mqtt.connectAsync(cp.mqttUrl, {
        clientId: 'operator:curious-ops',
        username: 'operator:curious-ops',
        password: 'cpt_wrong',
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toMatchObject({ code: 4 });
    // A persistent session would have the broker queue the city's telemetry for an absent tool.
    await expect(
      mqtt.connectAsync(cp.mqttUrl, {
        clientId: 'operator:curious-ops:2',
        username: 'operator:curious-ops',
        password: secret,
        clean: false,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('closes an operator’s MQTT login and refuses its HTTP requests as soon as its token is revoked', async () => {
    const secret = await token('short-lived', 'operator');
    const op = await operatorLogin('short-lived', secret);
    const closed = new Promise<void>((resolve) => op.once('close', () => resolve()));
    expect((await cp.api('DELETE', '/tokens/short-lived')).status).toBe(204);
    await closed;
    expect((await cp.api('GET', '/devices', undefined, secret)).status).toBe(401);
    await expect(
      mqtt.connectAsync(cp.mqttUrl, {
        clientId: 'operator:short-lived',
        username: 'operator:short-lived',
        password: secret,
        protocolVersion: 4,
        reconnectPeriod: 0,
      }),
    ).rejects.toMatchObject({ code: 4 });
  });
});
