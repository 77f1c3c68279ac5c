import mqtt, { type IConnackPacket, type IPublishPacket } from 'mqtt';
import { deviceTopic } from '@citypulse/contracts';
import { DeviceClient } from '@citypulse/devices';
import { PrivateRedisCluster, SteadyPublisher, testConfig, uniqueName, waitFor } from '@citypulse/testing';
import { ScaleOutRig, type BrokerName } from './scale-out-rig.js';

/**
 * The scale-out deployment (two brokers, two ingest and two alerts workers, the api) on a Redis
 * Cluster of three masters: every key group of citypulse on its own slot, spread over the shards,
 * the brokers' MQTT state on one Redis server (CP_MQTT_REDIS_URL, the stack's). The cluster is a
 * private one, so a test can restart one of its masters without disturbing other tests.
 */
const meterValues = () => ({ voltage: 228 + Math.random() * 4, current: 5, active_power: 1.1, power_factor: 0.95, frequency: 50 });

describe('the scale-out deployment on a Redis Cluster of three masters', () => {
  let redisCluster: PrivateRedisCluster;
  let rig: ScaleOutRig;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    redisCluster = await PrivateRedisCluster.create();
    await redisCluster.start();
    rig = await ScaleOutRig.start({ CP_REDIS_CLUSTER_NODES: redisCluster.nodes, CP_MQTT_REDIS_URL: testConfig().redis.url });
  }, 150_000);
  afterAll(async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    await rig?.stop();
    await redisCluster?.destroy();
  });

  async function steadyLoad(perBroker: number) {
    const devices = await Promise.all(Array.from({ length: perBroker * 2 }, () => rig.provisionMeter(uniqueName('meter-'))));
    const publishers = [new SteadyPublisher(rig.mqttUrl('broker-a'), devices.slice(0, perBroker), meterValues), new SteadyPublisher(rig.mqttUrl('broker-b'), devices.slice(perBroker), meterValues)];
    closers.push(...publishers.map((p) => () => p.close()));
    await Promise.all(publishers.map((p) => p.connect()));
    return publishers;
  }

  async function expectAllStoredOnce(publishers: SteadyPublisher[]) {
    const acked = publishers.flatMap((p) => [...p.acked]);
    const stored = await waitFor(() => rig.storedRows(), (rows) => acked.every((k) => rows.has(k)), { timeoutMs: 60_000, intervalMs: 500, what: `all ${acked.length} PUBACKed readings stored` });
    expect(acked.filter((k) => !stored.has(k))).toEqual([]);
    expect([...stored].filter(([, rows]) => rows > 1)).toEqual([]);
    return stored;
  }

  it('stores every PUBACKed reading exactly once, through both brokers, both ingest and both alerts workers', async () => {
    const publishers = await steadyLoad(3);
    publishers.forEach((p) => p.start());
    await new Promise((r) => setTimeout(r, 3000));
    await Promise.all(publishers.map((p) => p.stop()));
    for (const p of publishers) expect(p.acked.size).toBeGreaterThan(100);
    const stored = await expectAllStoredOnce(publishers);
    const byWorker = await waitFor(() => rig.readingsStoredBy(), (c) => c['ingest-1'] + c['ingest-2'] >= stored.size, { what: 'ingest metrics caught up' });
    expect(byWorker['ingest-1']).toBeGreaterThan(0);
    expect(byWorker['ingest-2']).toBeGreaterThan(0);
    expect(await rig.ruleEvaluatedBy()).toEqual(new Set([rig.instanceId('alerts-1'), rig.instanceId('alerts-2')]));
  });

  it('delivers a command sent through the API to a device on either broker', async () => {
    for (const broker of ['broker-a', 'broker-b'] as const) {
      const meter = await rig.provisionMeter(uniqueName('cmd-'));
      const device = new DeviceClient({ url: rig.mqttUrl(broker), deviceId: meter.id, secret: meter.secret, backoff: { initialMs: 100, maxMs: 400, factor: 2 } }).handleCommand('reset-demand', () => 'reset');
      closers.push(() => device.close());
      await device.start();
      await waitFor(async () => (await rig.request('GET', `/devices/${meter.id}`)).body.presence, (p) => p.online === true && p.brokerId === rig.instanceId(broker), { what: `online on ${broker}` });
      const { body: command } = await rig.request('POST', `/devices/${meter.id}/commands`, { name: 'reset-demand' });
      const done = await waitFor(async () => (await rig.request('GET', `/devices/${meter.id}/commands/${command.id}`)).body, (c) => c.status === 'succeeded', { what: `the command answered through ${broker}` });
      expect(done).toMatchObject({ result: 'reset', deliveredAt: expect.any(String) });
    }
  });

  it('keeps a persistent session when the device comes back on the other broker, with the command sent meanwhile', async () => {
    const meter = await rig.provisionMeter(uniqueName('roam-'));
    const connect = async (broker: BrokerName) => {
      const client = mqtt.connect(rig.mqttUrl(broker), { clientId: meter.id, username: meter.id, password: meter.secret, protocolVersion: 4, reconnectPeriod: 0, clean: false });
      const messages: IPublishPacket[] = [];
      client.on('message', (_t, _p, packet) => messages.push(packet));
      const connack = await new Promise<IConnackPacket>((resolve, reject) => client.once('connect', resolve).once('error', reject));
      closers.push(() => client.endAsync(true));
      return { client, connack, messages };
    };
    const first = await connect('broker-a');
    await first.client.subscribeAsync(deviceTopic(meter.id, 'commands'), { qos: 1 });
    await first.client.endAsync();
    const { body: command } = await rig.request('POST', `/devices/${meter.id}/commands`, { name: 'reset-demand' });
    const second = await connect('broker-b');
    expect(second.connack.sessionPresent).toBe(true);
    const received = await waitFor(() => second.messages, (m) => m.length > 0, { what: 'the command through broker B' });
    expect(JSON.parse(received[0].payload.toString())).toMatchObject({ id: command.id, name: 'reset-demand' });
  });
});
