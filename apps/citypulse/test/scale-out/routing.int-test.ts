import { Redis } from 'ioredis';
import mqtt, { type MqttClient } from 'mqtt';
import { loadConfig, type AppConfig } from '@citypulse/config';
import { deviceTopic } from '@citypulse/contracts';
import { AppProcess, flushPrefix, testEnv, uniqueName, waitFor } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';

/**
 * Route by subscription (CP_MQTT_CLUSTER=redis): a broker forwards a reading into Redis pub/sub
 * only when a filter held on some broker of the cluster matches it for its device's city.
 * Broker A (with the api) runs here; broker B is a process of its own, so it can be killed.
 * A Redis PSUBSCRIBE on the deployment's MQTT channels counts what crosses Redis.
 */
const meterValues = () =>
  JSON.stringify({ values: { voltage: 230, current: 5, active_power: 1.1, power_factor: 0.95, frequency: 50 } });

describe('telemetry routed between brokers only where someone subscribed', () => {
  let config: AppConfig;
  let brokerA: Citypulse;
  let brokerB: AppProcess;
  let brokerBUrl: string;
  let monitor: Redis;
  /** Every channel a message crossed Redis pub/sub on, in order, without the deployment's prefix. */
  const crossed: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    // A short heartbeat, so a killed broker's filters lapse (3 heartbeats) within a second.
    const env = testEnv({ CP_MQTT_CLUSTER: 'redis', CP_BROKER_HEARTBEAT_MS: '250', CP_INFLUX_API: 'v1' });
    config = loadConfig(env);
    const channels = `${config.redis.prefix}:mqtt:`;
    monitor = new Redis(config.redis.url);
    monitor.on('pmessage', (_pattern: string, channel: string) => crossed.push(channel.slice(channels.length)));
    await monitor.psubscribe(`${channels}*`);
    brokerA = await startCitypulse(config, ['api', 'broker']);
    brokerB = new AppProcess('broker', { ...env, CP_INSTANCE_ID: `${config.instanceId}-b` });
    await brokerB.start(45_000);
    const started = JSON.parse(brokerB.logs.split('\n').find((l) => l.includes('"citypulse started"'))!) as {
      mqttPort: number;
    };
    brokerBUrl = `mqtt://127.0.0.1:${started.mqttPort}`;
  }, 60_000);
  afterAll(async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    await brokerB?.stop();
    await brokerA?.close();
    monitor?.disconnect();
    if (config) await flushPrefix(config);
  });

  async function api(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${brokerA.httpPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${config.http.adminToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }

  /** A meter of `city`, connected to broker A. */
  async function meterOnA(city: string): Promise<{ id: string; client: MqttClient }> {
    const id = uniqueName('meter-');
    const { secret } = await api('POST', '/devices', { id, type: 'electricity-meter', city, site: `${city}-grid` });
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerA.mqttPort}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    closers.push(() => client.endAsync(true));
    return { id, client };
  }

  /** An operator's tool on `url` with a token of `cities` (undefined: every city). */
  async function operator(url: string, cities?: string[]): Promise<{ client: MqttClient; seen: string[] }> {
    const name = uniqueName('ops-');
    const { token } = await api('POST', '/tokens', { name, role: 'operator', ...(cities && { cities }) });
    const client = await mqtt.connectAsync(url, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    closers.push(() => client.endAsync(true));
    // Its broker may be killed under it.
    client.on('error', () => undefined);
    const seen: string[] = [];
    client.on('message', (topic) => seen.push(topic));
    return { client, seen };
  }

  /**
   * Publishes one reading of `meter` (PUBACKed), then a state report, which is always routed, as
   * a marker: broker A publishes into Redis in order on one connection, so once the marker has
   * crossed, the reading either crossed before it or never will. True if the reading crossed.
   */
  async function readingCrosses(meter: { id: string; client: MqttClient }): Promise<boolean> {
    const from = crossed.length;
    await meter.client.publishAsync(deviceTopic(meter.id, 'telemetry'), meterValues(), { qos: 1 });
    await meter.client.publishAsync(deviceTopic(meter.id, 'state'), JSON.stringify({ online: true }), { qos: 1 });
    const marker = deviceTopic(meter.id, 'state');
    await waitFor(
      () => crossed.slice(from),
      (channels) => channels.includes(marker),
      { what: `the marker ${marker} through Redis` },
    );
    return crossed.slice(from, from + crossed.slice(from).indexOf(marker)).includes(deviceTopic(meter.id, 'telemetry'));
  }

  const telemetryCrossed = () => crossed.filter((channel) => channel.endsWith('/telemetry'));

  it('sends no reading through Redis while nobody subscribes to telemetry anywhere', async () => {
    const meter = await meterOnA('beijing');
    for (let i = 0; i < 20; i++)
      await meter.client.publishAsync(deviceTopic(meter.id, 'telemetry'), meterValues(), { qos: 1 });
    expect(await readingCrosses(meter)).toBe(false);
    expect(telemetryCrossed()).toEqual([]);
  });

  it("routes to an operator of one city on broker B only that city's readings from broker A, until it unsubscribes or leaves", async () => {
    const [beijing, tianjin] = [await meterOnA('beijing'), await meterOnA('tianjin')];
    const ops = await operator(brokerBUrl, ['beijing']);
    await ops.client.subscribeAsync('devices/+/telemetry', { qos: 0 });

    // SUBACK follows the index write; broker A routes once it has applied the change notice.
    await waitFor(
      () => readingCrosses(beijing),
      (routed) => routed,
      { what: "beijing's readings routed" },
    );
    // Broker B learns the city of a device on another broker on its first message (fail closed until then).
    const delivered = async () => (await readingCrosses(beijing), ops.seen);
    await waitFor(delivered, (topics) => topics.includes(deviceTopic(beijing.id, 'telemetry')), {
      what: 'the reading on broker B',
    });
    expect(await readingCrosses(tianjin)).toBe(false);
    expect(telemetryCrossed().filter((channel) => channel !== deviceTopic(beijing.id, 'telemetry'))).toEqual([]);
    expect(ops.seen.filter((topic) => topic !== deviceTopic(beijing.id, 'telemetry'))).toEqual([]);

    await ops.client.unsubscribeAsync('devices/+/telemetry');
    await waitFor(
      () => readingCrosses(beijing),
      (routed) => !routed,
      { what: 'routing stopped after UNSUBSCRIBE' },
    );

    await ops.client.subscribeAsync('devices/+/telemetry', { qos: 0 });
    await waitFor(
      () => readingCrosses(beijing),
      (routed) => routed,
      { what: 'routed again after SUBSCRIBE' },
    );
    await ops.client.endAsync();
    await waitFor(
      () => readingCrosses(beijing),
      (routed) => !routed,
      { what: 'routing stopped after the operator left' },
    );
  });

  it('delivers a will published on broker A to an operator on broker B', async () => {
    const id = uniqueName('meter-');
    const { secret } = await api('POST', '/devices', {
      id,
      type: 'electricity-meter',
      city: 'beijing',
      site: 'bj-grid',
    });
    const ops = await operator(brokerBUrl);
    await ops.client.subscribeAsync('devices/+/state', { qos: 0 });
    const will = {
      topic: deviceTopic(id, 'state'),
      payload: Buffer.from(JSON.stringify({ online: false })),
      qos: 1 as const,
      retain: false,
    };
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${brokerA.mqttPort}`, {
      clientId: id,
      username: id,
      password: secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will,
    });
    // Gone without DISCONNECT: the broker publishes the will.
    device.stream.destroy();
    await waitFor(
      () => ops.seen,
      (topics) => topics.includes(deviceTopic(id, 'state')),
      { what: 'the will on broker B' },
    );
  });

  it("stops routing for a killed broker's subscriptions once its index entry lapses", async () => {
    const meter = await meterOnA('tianjin');
    const ops = await operator(brokerBUrl);
    await ops.client.subscribeAsync('devices/+/telemetry', { qos: 0 });
    await waitFor(
      () => readingCrosses(meter),
      (routed) => routed,
      { what: "tianjin's readings routed for an operator of every city" },
    );

    await brokerB.kill();
    await waitFor(
      () => readingCrosses(meter),
      (routed) => !routed,
      { timeoutMs: 15_000, what: "routing stopped after broker B's entry lapsed" },
    );
  });
});
