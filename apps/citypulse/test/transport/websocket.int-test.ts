import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { getDeviceType } from '@citypulse/devices';
import { deviceTopic } from '@citypulse/contracts';
import { Metrics } from '@citypulse/observability';
import { TestPki, freePort, keysMatching, uniqueName, waitFor, type TestCa } from '@citypulse/testing';
import { REDIS } from '@citypulse/core';
import type { RedisClient } from '@citypulse/redis';
import { MqttBrokerService } from '../../../broker/src/index.js';
import { TestCitypulse } from '../harness.js';

const envSensor = getDeviceType('env-sensor')!;
const reading = (temperature: number) =>
  JSON.stringify({ values: { temperature, humidity: 40, co2: 600, occupancy: 1 } });

/** MQTT over WebSocket and secure WebSocket (path /mqtt), as browser tools and dashboards speak it, with mqtt.js. */
describe('MQTT over WebSocket', () => {
  let pki: TestPki;
  let serverCa: TestCa;
  let cp: TestCitypulse;
  let urls: { ws: string; wss: string };

  beforeAll(async () => {
    pki = await TestPki.create();
    serverCa = await pki.ca('server');
    const server = await pki.serverCert(serverCa);
    cp = await TestCitypulse.start({
      CP_MQTT_WS_PORT: '0',
      CP_MQTT_WSS_PORT: '0',
      CP_MQTT_TLS_CERT: server.cert,
      CP_MQTT_TLS_KEY: server.key,
      // Small enough to test the packet-size guard on WebSocket frames.
      CP_MAX_PAYLOAD_BYTES: '2048',
      CP_MQTT_MAX_PACKET_BYTES: '4096',
    });
    const broker = cp.running.app.get(MqttBrokerService);
    urls = {
      ws: `ws://127.0.0.1:${broker.listenerPort('ws')}/mqtt`,
      wss: `wss://127.0.0.1:${broker.listenerPort('wss')}/mqtt`,
    };
  });
  afterAll(async () => {
    await cp?.stop();
    await pki?.remove();
  });

  async function newDevice(city = 'beijing') {
    const id = uniqueName('dev-');
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-1` });
    return { id, secret };
  }
  const connect = (url: string, options: IClientOptions): Promise<MqttClient> =>
    mqtt.connectAsync(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      ...(url.startsWith('wss:') ? { ca: readFileSync(serverCa.cert) } : {}),
      ...options,
    });
  const storedTemperatures = async (id: string): Promise<number[]> =>
    (await cp.influx.query(`SELECT temperature FROM "${envSensor.measurement}" WHERE device_id = '${id}'`)).map(
      (row: any) => row.temperature,
    );

  it.each(['ws', 'wss'] as const)('stores a reading a device publishes over %s://', async (kind) => {
    const { id, secret } = await newDevice();
    const client = await connect(urls[kind], { clientId: id, username: id, password: secret });
    await client.publishAsync(deviceTopic(id, 'telemetry'), reading(19.5), { qos: 1 });
    await client.endAsync();
    await waitFor(
      () => storedTemperatures(id),
      (t) => t.includes(19.5),
      { what: `the reading sent over ${kind}` },
    );
  });

  it('authenticates as on TCP: a wrong secret gets CONNACK 4, counted against the HTTP client address', async () => {
    const { id } = await newDevice();
    await expect(connect(urls.ws, { clientId: id, username: id, password: 'not-the-secret' })).rejects.toMatchObject({
      code: 4,
    });
    const counters = await keysMatching(
      cp.running.app.get<RedisClient>(REDIS),
      `${cp.config.redis.prefix}:connect-failures:addr:*`,
    );
    expect(counters.length).toBeGreaterThan(0);
    expect(counters.every((key) => key.includes(':addr:127.0.0.1:'))).toBe(true);
  });

  it("delivers to a Beijing operator subscribed over WebSocket only Beijing devices' telemetry", async () => {
    const name = uniqueName('bj-ws-');
    const token = await cp.issueToken(name, 'operator', ['beijing']);
    const operator = await connect(urls.wss, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
    });
    const seen: string[] = [];
    operator.on('message', (topic) => seen.push(topic));
    await operator.subscribeAsync('devices/+/telemetry', { qos: 1 });
    const [bj, tj] = [await newDevice('beijing'), await newDevice('tianjin')];
    for (const device of [tj, bj]) {
      const client = await connect(urls.ws, { clientId: device.id, username: device.id, password: device.secret });
      await client.publishAsync(deviceTopic(device.id, 'telemetry'), reading(20), { qos: 1 });
      await client.endAsync();
    }
    await waitFor(
      () => seen,
      (s) => s.includes(deviceTopic(bj.id, 'telemetry')),
      { what: "the Beijing device's telemetry" },
    );
    await operator.endAsync();
    expect(seen).toEqual([deviceTopic(bj.id, 'telemetry')]);
  });

  it('closes a WebSocket connection whose MQTT packet declares more than the size limit, before reading it', async () => {
    const metrics = cp.running.app.get(Metrics);
    const tooLarge = async () =>
      (await metrics.mqttConnectionErrors.get()).values.find((v) => v.labels.kind === 'packet_too_large')?.value ?? 0;
    const before = await tooLarge();
    const socket = new WebSocket(urls.ws, 'mqtt');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // A PUBLISH header declaring 1,000,000 bytes (remaining length as MQTT's varint), in a 4-byte WebSocket message.
    socket.send(Buffer.from([0x30, 0xc0, 0x84, 0x3d]));
    await closed;
    expect(await tooLarge()).toBe(before + 1);
  });

  it('runs without plain TCP when CP_MQTT_PLAIN=false: the TCP port is closed, WebSocket serves', async () => {
    const tcpPort = await freePort();
    const wsOnly = await TestCitypulse.start(
      { CP_MQTT_PLAIN: 'false', CP_MQTT_PORT: String(tcpPort), CP_MQTT_WS_PORT: '0' },
      ['broker'],
    );
    try {
      const broker = wsOnly.running.app.get(MqttBrokerService);
      expect(broker.port).toBeUndefined();
      expect(broker.accepting).toBe(true);
      const refused = new Promise<void>((resolve, reject) => {
        const socket = tcpConnect(tcpPort, '127.0.0.1', () =>
          reject(new Error('plain TCP port accepted a connection')),
        );
        socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve() : reject(err)));
      });
      await refused;
      // Unknown device, but a CONNACK: the WebSocket listener is up.
      await expect(
        connect(`ws://127.0.0.1:${broker.listenerPort('ws')}/mqtt`, {
          clientId: 'nobody',
          username: 'nobody',
          password: 'x',
        }),
      ).rejects.toMatchObject({ code: 4 });
    } finally {
      await wsOnly.stop();
    }
  });
});
