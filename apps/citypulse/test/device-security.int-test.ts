import type { MqttClient } from 'mqtt';
import { AppProcess, connackCode, freePort, RawMqttSocket, testEnv, uniqueName } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/**
 * Device credentials over real MQTT connections: refused CONNECTs get the right CONNACK code,
 * credential changes reach live connections at once, and failed attempts are rate-limited across
 * addresses without locking out the real device. Rate limits are low here so a test can reach them.
 */
describe('device credentials and CONNECT security', () => {
  let cp: TestCitypulse;
  const open: MqttClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({
      CP_AUTH_FAIL_MAX_PER_ADDRESS: '3',
      CP_AUTH_FAIL_MAX_PER_DEVICE: '6',
      CP_AUTH_FAIL_WINDOW_S: '300',
    });
  });
  afterAll(async () => {
    for (const client of open) client.end(true);
    await cp?.stop();
  });

  async function newDevice() {
    const id = uniqueName('sec-');
    const secret = await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' });
    return { id, secret };
  }
  /**
   * Right after a rotation the broker may still be hearing of it on the control channel; a CONNECT
   * overlapping that notice gets CONNACK 3, which tells firmware to connect again (devices/README.md).
   */
  async function connectRetryingOnServerUnavailable(id: string, secret: string) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await connect(id, secret);
      } catch (err) {
        if ((err as { code?: number }).code !== 3 || attempt >= 3) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  async function connect(id: string, secret: string) {
    const client = await cp.connectDevice(id, secret);
    open.push(client);
    return client;
  }
  const closed = (client: MqttClient) =>
    new Promise<number>((resolve) => {
      const at = Date.now();
      client.once('close', () => resolve(Date.now() - at));
    });
  // Each refusal test comes from its own loopback address, so the per-address limit of one test
  // never spills into another.
  let nextHost = 10;
  const host = () => `127.0.0.${nextHost++}`;
  const port = () => cp.running.mqttPort!;

  it('refuses a wrong secret and an unknown device with CONNACK 4, and a revoked device with CONNACK 5', async () => {
    const { id, secret } = await newDevice();
    const from = host();
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: 'wrong-secret', localAddress: from }),
    ).toBe(4);
    const ghost = uniqueName('ghost-');
    expect(
      await connackCode({ port: port(), clientId: ghost, username: ghost, password: secret, localAddress: host() }),
    ).toBe(4);
    expect((await cp.api('POST', `/devices/${id}/revoke`)).body).toMatchObject({ revoked: true, credentialVersion: 2 });
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(5);
  });

  it('disconnects a live device within a second of its revocation, and keeps refusing it', async () => {
    const { id, secret } = await newDevice();
    const device = await connect(id, secret);
    const disconnected = closed(device);
    const revoked = await cp.api('POST', `/devices/${id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(await disconnected).toBeLessThan(1000);
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(5);
  });

  it('rotates: the connected device is dropped, the old secret refused, the new one accepted; rotation lifts a revocation', async () => {
    const { id, secret } = await newDevice();
    const device = await connect(id, secret);
    const disconnected = closed(device);
    const rotated = await cp.api('POST', `/devices/${id}/rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ id, secret: expect.any(String), credentialVersion: 2 });
    expect(rotated.body.secret).not.toBe(secret);
    expect(await disconnected).toBeLessThan(1000);
    // The broker had verified (and cached) the old secret: it must not accept it any more.
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(4);
    const again = await connectRetryingOnServerUnavailable(id, rotated.body.secret);
    expect(again.connected).toBe(true);

    await cp.api('POST', `/devices/${id}/revoke`);
    const reinstated = await cp.api('POST', `/devices/${id}/rotate`);
    expect(reinstated.body.credentialVersion).toBe(4);
    expect((await connectRetryingOnServerUnavailable(id, reinstated.body.secret)).connected).toBe(true);
  });

  it('disconnects a deleted device and refuses it afterwards', async () => {
    const { id, secret } = await newDevice();
    const device = await connect(id, secret);
    const disconnected = closed(device);
    expect((await cp.api('DELETE', `/devices/${id}`)).status).toBe(204);
    expect(await disconnected).toBeLessThan(1000);
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(4);
  });

  it('refuses an address after N failed CONNECTs with CONNACK 3 while the real device still connects from another address', async () => {
    const { id, secret } = await newDevice();
    const attacker = host();
    const attempt = (password: string) =>
      connackCode({ port: port(), clientId: id, username: id, password, localAddress: attacker });
    expect([await attempt('guess-1'), await attempt('guess-2'), await attempt('guess-3')]).toEqual([4, 4, 4]);
    // Limited now: even the right secret gets "server unavailable" from this address.
    expect(await attempt(secret)).toBe(3);
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(0);
    const metrics = await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
      headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
    }).then((r) => r.text());
    expect(metrics).toMatch(/citypulse_mqtt_connect_rate_limited_total\{scope="address"\} [1-9]/);
  });

  it('limits guesses at one device id spread over many addresses, yet lets in the secret it already verified', async () => {
    const { id, secret } = await newDevice();
    // The real device connected once before the attack: its secret is verified and cached.
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(0);
    for (let i = 0; i < 6; i++) {
      expect(
        await connackCode({ port: port(), clientId: id, username: id, password: `guess-${i}`, localAddress: host() }),
      ).toBe(4);
    }
    // Over the per-device limit: a fresh address guessing gets 3 and never reaches scrypt…
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: 'guess-7', localAddress: host() }),
    ).toBe(3);
    // …while the device itself, from anywhere, still gets in.
    expect(
      await connackCode({ port: port(), clientId: id, username: id, password: secret, localAddress: host() }),
    ).toBe(0);
    // Other devices are not affected.
    const other = await newDevice();
    expect(
      await connackCode({
        port: port(),
        clientId: other.id,
        username: other.id,
        password: other.secret,
        localAddress: host(),
      }),
    ).toBe(0);
  });

  it('disconnects a device connected to another broker process at once when it is revoked through this one', async () => {
    const brokerPort = await freePort();
    const other = new AppProcess(
      'broker',
      testEnv({ CP_REDIS_PREFIX: cp.config.redis.prefix, CP_MQTT_PORT: String(brokerPort) }),
    );
    await other.start();
    try {
      const { id, secret } = await newDevice();
      const { returnCode, socket } = await RawMqttSocket.login(brokerPort, {
        clientId: id,
        username: id,
        password: secret,
      });
      expect(returnCode).toBe(0);
      // Resolves when the broker closes the socket (or after 10 s, failing the bound below).
      const closedAt = socket.closesWithin(10_000).then(() => Date.now());
      const revokedAt = Date.now();
      expect((await cp.api('POST', `/devices/${id}/revoke`)).status).toBe(200);
      expect((await closedAt) - revokedAt).toBeLessThan(1000);
      expect(
        await connackCode({ port: brokerPort, clientId: id, username: id, password: secret, localAddress: host() }),
      ).toBe(5);
    } finally {
      await other.stop();
    }
  });
});
