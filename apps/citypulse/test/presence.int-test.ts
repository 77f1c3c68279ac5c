import mqtt, { type MqttClient } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { SseStream } from '@citypulse/sse';
import { AppProcess, freePort, RawMqttSocket, testEnv, uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

/** GET /presence/events (server-sent events), every event received kept. */
function openPresenceStream(cp: TestCitypulse, token = cp.config.http.adminToken): Promise<SseStream<any>> {
  return SseStream.open(`http://127.0.0.1:${cp.running.httpPort}/presence/events`, token, (event) =>
    JSON.parse(event.data),
  );
}

/** The events of one device a stream received. */
function eventsOf(stream: SseStream<any>, deviceId: string): any[] {
  return stream.received.filter((e) => e.deviceId === deviceId);
}

/** Presence over real connections: online/offline with the reason, last will, events, counts, across brokers. */
describe('presence', () => {
  let cp: TestCitypulse;
  let stream: SseStream<any>;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_BROKER_HEARTBEAT_MS: '300' });
    stream = await openPresenceStream(cp);
    // The stream subscribes to Redis on open; wait until it demonstrably receives events.
    const warmup = await newDevice('xian');
    await waitFor(
      async () => {
        const c = await cp.connectDevice(warmup.id, warmup.secret);
        await c.endAsync();
        return eventsOf(stream, warmup.id).length;
      },
      (n) => n > 0,
      { what: 'the presence stream to be live' },
    );
  });
  afterAll(async () => {
    stream?.close();
    for (const c of clients) c.end(true);
    await cp?.stop();
  });

  async function newDevice(city = 'beijing') {
    const id = uniqueName('pr-');
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-site-1` });
    return { id, secret };
  }
  const presenceOf = async (id: string) => (await cp.api('GET', `/devices/${id}`)).body.presence;

  it('marks a device online with connected-since, and offline with reason disconnect after a clean DISCONNECT', async () => {
    const { id, secret } = await newDevice();
    const device = await cp.connectDevice(id, secret);
    const online = await waitFor(
      () => presenceOf(id),
      (p) => p.online === true,
      { what: 'online' },
    );
    expect(online).toMatchObject({ online: true, connectedSince: expect.any(String), brokerId: cp.config.instanceId });
    await device.endAsync();
    const offline = await waitFor(
      () => presenceOf(id),
      (p) => p.online === false,
      { what: 'offline' },
    );
    expect(offline).toMatchObject({
      offlineReason: 'disconnect',
      lastWill: false,
      connectedSince: online.connectedSince,
    });
    expect(Date.parse(offline.lastSeen)).toBeGreaterThanOrEqual(Date.parse(online.connectedSince));
  });

  it('marks an abruptly dropped device offline and publishes its last will', async () => {
    const { id, secret } = await newDevice();
    // An operator's tool watching state topics receives the will the broker publishes.
    const token = (await cp.api('POST', '/tokens', { name: uniqueName('w'), role: 'operator' })).body;
    const operator = await mqtt.connectAsync(cp.mqttUrl, {
      clientId: `operator:${token.name}`,
      username: `operator:${token.name}`,
      password: token.token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    clients.push(operator);
    const wills: string[] = [];
    operator.on('message', (topic, payload) => wills.push(`${topic} ${payload.toString()}`));
    await operator.subscribeAsync('devices/+/state', { qos: 1 });

    const { returnCode, socket } = await RawMqttSocket.login(cp.running.mqttPort!, {
      clientId: id,
      username: id,
      password: secret,
      will: { topic: deviceTopic(id, 'state'), payload: '{"online":false}' },
    });
    expect(returnCode).toBe(0);
    await waitFor(
      () => presenceOf(id),
      (p) => p.online === true,
      { what: 'online' },
    );
    await socket.destroy();

    const offline = await waitFor(
      () => presenceOf(id),
      (p) => p.online === false,
      { what: 'offline after the drop' },
    );
    expect(offline).toMatchObject({ offlineReason: 'connection_lost', lastWill: true });
    await waitFor(
      () => wills,
      (w) => w.includes(`${deviceTopic(id, 'state')} {"online":false}`),
      { what: 'the last will' },
    );
    const events = await waitFor(
      () => eventsOf(stream, id),
      (e) => e.length === 2,
      { what: 'online and offline events' },
    );
    expect(events).toEqual([
      expect.objectContaining({ deviceId: id, city: 'beijing', online: true }),
      expect.objectContaining({
        deviceId: id,
        city: 'beijing',
        online: false,
        reason: 'connection_lost',
        lastWill: true,
      }),
    ]);
  });

  it('marks a device that stops sending offline when its keep-alive lapses', async () => {
    const { id, secret } = await newDevice();
    // Keep-alive 1 s and no PINGREQ ever: the broker gives up after 1.5 s [MQTT-3.1.2-24].
    const { socket } = await RawMqttSocket.login(cp.running.mqttPort!, {
      clientId: id,
      username: id,
      password: secret,
      keepaliveS: 1,
    });
    try {
      const offline = await waitFor(
        () => presenceOf(id),
        (p) => p.offlineReason !== undefined,
        { what: 'keep-alive timeout', timeoutMs: 10_000 },
      );
      expect(offline).toMatchObject({ online: false, offlineReason: 'keepalive_timeout' });
    } finally {
      await socket.destroy();
    }
  });

  it('marks a device offline when its credentials are revoked, with reason closed_by_broker', async () => {
    const { id, secret } = await newDevice();
    clients.push(await cp.connectDevice(id, secret));
    await waitFor(
      () => presenceOf(id),
      (p) => p.online === true,
      { what: 'online' },
    );
    await cp.api('POST', `/devices/${id}/revoke`);
    expect(
      await waitFor(
        () => presenceOf(id),
        (p) => p.online === false,
        { what: 'offline' },
      ),
    ).toMatchObject({ offlineReason: 'closed_by_broker' });
  });

  it('counts online and offline devices per city and filters the list by presence', async () => {
    const a = await newDevice('harbin');
    const b = await newDevice('harbin');
    await newDevice('harbin');
    clients.push(await cp.connectDevice(a.id, a.secret), await cp.connectDevice(b.id, b.secret));
    const counts = await waitFor(
      async () => (await cp.api('GET', '/presence/counts')).body,
      (c) => c.harbin?.online === 2,
      { what: 'two online in harbin' },
    );
    expect(counts.harbin).toEqual({ online: 2, offline: 1 });
    expect((await cp.api('GET', '/devices?city=harbin&online=true')).body.items.map((d: any) => d.id).sort()).toEqual(
      [a.id, b.id].sort(),
    );
    expect((await cp.api('GET', '/devices?city=harbin&online=false')).body.total).toBe(1);
  });

  it('streams only the token’s cities on /presence/events', async () => {
    const token = (await cp.api('POST', '/tokens', { name: uniqueName('sse'), role: 'operator', cities: ['tianjin'] }))
      .body.token;
    const scoped = await openPresenceStream(cp, token);
    try {
      const bj = await newDevice('beijing');
      const tj = await newDevice('tianjin');
      // Until the scoped stream is live, keep reconnecting the Tianjin device.
      await waitFor(
        async () => {
          const c = await cp.connectDevice(tj.id, tj.secret);
          await c.endAsync();
          return eventsOf(scoped, tj.id).length;
        },
        (n) => n > 0,
        { what: 'the scoped stream to be live' },
      );
      const c = await cp.connectDevice(bj.id, bj.secret);
      await waitFor(
        () => eventsOf(stream, bj.id).length,
        (n) => n > 0,
        { what: 'the Beijing event on the admin stream' },
      );
      await c.endAsync();
      await waitFor(
        () => eventsOf(stream, bj.id).length,
        (n) => n === 2,
        { what: 'both Beijing events on the admin stream' },
      );
      expect(scoped.received.every((e) => e.city === 'tianjin')).toBe(true);
      expect(eventsOf(scoped, bj.id)).toEqual([]);
    } finally {
      scoped.close();
    }
  });

  it('marks offline the devices of a broker that died, from another broker, with reason broker_lost', async () => {
    const port = await freePort();
    const env = testEnv({
      CP_REDIS_PREFIX: cp.config.redis.prefix,
      CP_MQTT_PORT: String(port),
      CP_BROKER_HEARTBEAT_MS: '300',
      CP_INFLUX_DB: cp.config.influx.database,
    });
    const other = new AppProcess('broker', env);
    await other.start();
    try {
      const { id, secret } = await newDevice();
      const { returnCode, socket } = await RawMqttSocket.login(port, { clientId: id, username: id, password: secret });
      expect(returnCode).toBe(0);
      const online = await waitFor(
        () => presenceOf(id),
        (p) => p.online === true,
        { what: 'online on the other broker' },
      );
      expect(online.brokerId).toBe(env.CP_INSTANCE_ID);
      await other.kill();
      await socket.destroy();
      // No broker saw a disconnect: the survivor's heartbeat sweep notices the silent broker.
      const offline = await waitFor(
        () => presenceOf(id),
        (p) => p.online === false,
        { what: 'offline after the broker died', timeoutMs: 10_000 },
      );
      expect(offline.offlineReason).toBe('broker_lost');
    } finally {
      await other.stop();
    }
  });

  it('marks the devices of a broker that shuts down cleanly offline with reason broker_shutdown', async () => {
    const port = await freePort();
    const other = new AppProcess(
      'broker',
      testEnv({ CP_REDIS_PREFIX: cp.config.redis.prefix, CP_MQTT_PORT: String(port) }),
    );
    await other.start();
    try {
      const { id, secret } = await newDevice();
      const { socket } = await RawMqttSocket.login(port, { clientId: id, username: id, password: secret });
      await waitFor(
        () => presenceOf(id),
        (p) => p.online === true,
        { what: 'online on the other broker' },
      );
      await other.stop();
      await socket.destroy();
      expect(await presenceOf(id)).toMatchObject({ online: false, offlineReason: 'broker_shutdown' });
    } finally {
      await other.stop();
    }
  });
});
