import mqtt, { type IClientOptions, type IConnackPacket, type IPublishPacket } from 'mqtt';
import type { IConnectPacket } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import { DeviceClient } from '@citypulse/devices';
import { RawMqttSocket, SteadyPublisher, connectPacket, uniqueName, waitFor } from '@citypulse/testing';
import { ScaleOutRig, type BrokerName } from './scale-out-rig.js';
import { handoffLeaseHolders, ruleFeedByDevice } from './rule-feed-order.js';

/**
 * Scale-out (CP_MQTT_CLUSTER=redis): two brokers behind what would be a TCP load balancer, two
 * ingest and two alerts workers. Devices land on either broker; the deployment must behave as one.
 */
const meterValues = () => ({ voltage: 228 + Math.random() * 4, current: 5, active_power: 1.1, power_factor: 0.95, frequency: 50 });

describe('two brokers sharing their MQTT state through Redis, two ingest and two alerts workers', () => {
  let rig: ScaleOutRig;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    rig = await ScaleOutRig.start();
  }, 90_000);
  afterAll(async () => {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
    await rig?.stop();
  });

  /** An mqtt.js device login that remembers its CONNACK and every message, from the first packet on. */
  async function connectDevice(broker: BrokerName, device: { id: string; secret: string }, options: IClientOptions = {}) {
    const client = mqtt.connect(rig.mqttUrl(broker), { clientId: device.id, username: device.id, password: device.secret, protocolVersion: 4, reconnectPeriod: 0, ...options });
    const messages: IPublishPacket[] = [];
    client.on('message', (_topic, _payload, packet) => messages.push(packet));
    const connack = await new Promise<IConnackPacket>((resolve, reject) => {
      client.once('connect', resolve);
      client.once('error', reject);
    });
    closers.push(() => client.endAsync(true));
    return { client, connack, messages };
  }

  it('stores every PUBACKed reading exactly once, whichever broker took it and whichever ingest worker wrote it', async () => {
    const devices = await Promise.all(Array.from({ length: 6 }, () => rig.provisionMeter(uniqueName('meter-'))));
    const publishers = [new SteadyPublisher(rig.mqttUrl('broker-a'), devices.slice(0, 3), meterValues), new SteadyPublisher(rig.mqttUrl('broker-b'), devices.slice(3), meterValues)];
    closers.push(...publishers.map((p) => () => p.close()));
    await Promise.all(publishers.map((p) => p.connect()));
    publishers.forEach((p) => p.start());
    await new Promise((r) => setTimeout(r, 3000));
    await Promise.all(publishers.map((p) => p.stop()));

    const acked = publishers.flatMap((p) => [...p.acked]);
    for (const p of publishers) expect(p.acked.size).toBeGreaterThan(100);
    const stored = await waitFor(() => rig.storedRows(), (rows) => acked.every((k) => rows.has(k)), { timeoutMs: 30_000, intervalMs: 500, what: `all ${acked.length} PUBACKed readings stored` });
    expect(acked.filter((k) => !stored.has(k))).toEqual([]);
    expect([...stored].filter(([, rows]) => rows > 1)).toEqual([]);

    // Both workers of each kind took part, and together wrote each stored reading once.
    const byWorker = await waitFor(() => rig.readingsStoredBy(), (c) => c['ingest-1'] + c['ingest-2'] >= stored.size, { what: 'ingest metrics caught up' });
    expect(byWorker['ingest-1']).toBeGreaterThan(0);
    expect(byWorker['ingest-2']).toBeGreaterThan(0);
    expect(byWorker['ingest-1'] + byWorker['ingest-2']).toBe(stored.size);
    expect(await rig.ruleEvaluatedBy()).toEqual(new Set([rig.instanceId('alerts-1'), rig.instanceId('alerts-2')]));
  });

  it('hands each device’s readings to rule evaluation in the order it published them, with both ingest workers reading', async () => {
    // Each ingest worker holds a share of the hand-off's partitions; a device's partition is read by one at a time.
    expect(await waitFor(() => handoffLeaseHolders(rig.config), (h) => h.size === 2, { what: 'both ingest workers holding partitions' })).toEqual(
      new Set([rig.instanceId('ingest-1'), rig.instanceId('ingest-2')]),
    );
    const devices = await Promise.all(Array.from({ length: 8 }, () => rig.provisionMeter(uniqueName('ordered-'))));
    const publishers = [new SteadyPublisher(rig.mqttUrl('broker-a'), devices.slice(0, 4), meterValues), new SteadyPublisher(rig.mqttUrl('broker-b'), devices.slice(4), meterValues)];
    closers.push(...publishers.map((p) => () => p.close()));
    await Promise.all(publishers.map((p) => p.connect()));
    publishers.forEach((p) => p.start());
    await new Promise((r) => setTimeout(r, 2000));
    await Promise.all(publishers.map((p) => p.stop()));

    // Each device's PUBACKed readings, in the order it published them (its timestamps rise).
    const published = new Map(devices.map((d) => [d.id, [] as number[]]));
    for (const key of publishers.flatMap((p) => [...p.acked])) published.get(key.slice(0, key.lastIndexOf('@')))?.push(Number(key.slice(key.lastIndexOf('@') + 1)));
    for (const times of published.values()) times.sort((a, b) => a - b);
    const ids = devices.map((d) => d.id);
    const fed = await waitFor(() => ruleFeedByDevice(rig.config, ids), (f) => ids.every((id) => f.get(id)!.length >= published.get(id)!.length), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'every PUBACKed reading handed to rule evaluation',
    });
    for (const id of ids) expect({ id, times: fed.get(id) }).toEqual({ id, times: published.get(id) });
  });

  /** A read-only operator login (a fresh operator token) on `broker`. */
  async function connectOperator(broker: BrokerName) {
    const name = uniqueName('ops-');
    const { body: issued } = await rig.request('POST', '/tokens', { name, role: 'operator' });
    const operator = await mqtt.connectAsync(rig.mqttUrl(broker), { clientId: `operator:${name}`, username: `operator:${name}`, password: issued.token, protocolVersion: 4, reconnectPeriod: 0 });
    closers.push(() => operator.endAsync(true));
    return operator;
  }

  it('routes telemetry from a device on broker A to an operator watching on broker B', async () => {
    const meter = await rig.provisionMeter(uniqueName('watched-'));
    const operator = await connectOperator('broker-b');
    const seen: string[] = [];
    operator.on('message', (topic) => seen.push(topic));
    await operator.subscribeAsync('devices/+/telemetry', { qos: 0 });

    // Broker A has no telemetry subscriber of its own: it must route the reading all the same.
    const { client } = await connectDevice('broker-a', meter);
    await client.publishAsync(deviceTopic(meter.id, 'telemetry'), JSON.stringify({ values: meterValues() }), { qos: 1 });
    await waitFor(() => seen, (topics) => topics.includes(deviceTopic(meter.id, 'telemetry')), { what: 'the reading on broker B' });
    await client.endAsync();
  });

  it('raises one alert, announced once over MQTT, for a breach whose readings came through both brokers', async () => {
    const meter = await rig.provisionMeter(uniqueName('hot-'));
    // The operator watches on broker B; the alert is raised far from it (alerts worker → any broker).
    const operator = await connectOperator('broker-b');
    const announced: Array<{ event: { kind: string }; alert: { deviceId: string } }> = [];
    operator.on('message', (_topic, payload) => announced.push(JSON.parse(payload.toString())));
    await operator.subscribeAsync('alerts/#', { qos: 0 });

    // Over 50.5 Hz for 12 s of device time: the first half through broker A, the rest through B.
    const t0 = Date.now() - 30_000;
    const reading = (offsetS: number) => JSON.stringify({ ts: t0 + offsetS * 1000, values: { ...meterValues(), frequency: 51 } });
    for (const [broker, offsets] of [['broker-a', [0, 3, 6]], ['broker-b', [9, 12, 15]]] as const) {
      const { client } = await connectDevice(broker, meter);
      for (const s of offsets) await client.publishAsync(deviceTopic(meter.id, 'telemetry'), reading(s), { qos: 1 });
      await client.endAsync();
    }

    const alerts = await waitFor(async () => (await rig.request('GET', `/alerts?deviceId=${meter.id}`)).body.items, (items) => items.length > 0, { what: 'the alert' });
    await waitFor(() => announced.filter((m) => m.alert.deviceId === meter.id), (m) => m.length > 0, { what: 'the MQTT announcement' });
    // Room for a second alert or a second announcement to show up, were either coming.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await rig.request('GET', `/alerts?deviceId=${meter.id}`)).body.items).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ deviceId: meter.id, field: 'frequency', severity: 'critical' });
    expect(announced.filter((m) => m.alert.deviceId === meter.id).map((m) => m.event.kind)).toEqual(['raised']);
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

  it('keeps a persistent session and its subscriptions when the device comes back on the other broker, and gets what was sent meanwhile', async () => {
    const meter = await rig.provisionMeter(uniqueName('roam-'));
    const first = await connectDevice('broker-a', meter, { clean: false });
    await first.client.subscribeAsync(deviceTopic(meter.id, 'commands'), { qos: 1 });
    await first.client.endAsync();

    const { body: command } = await rig.request('POST', `/devices/${meter.id}/commands`, { name: 'reset-demand' });
    expect(command.status).toBe('pending');

    // No SUBSCRIBE this time: broker B knows the subscription from the session broker A stored.
    const second = await connectDevice('broker-b', meter, { clean: false });
    expect(second.connack.sessionPresent).toBe(true);
    const received = await waitFor(() => second.messages, (m) => m.length > 0, { what: 'the command through broker B' });
    expect(received[0].topic).toBe(deviceTopic(meter.id, 'commands'));
    expect(JSON.parse(received[0].payload.toString())).toMatchObject({ id: command.id, name: 'reset-demand' });
    await waitFor(async () => (await rig.request('GET', `/devices/${meter.id}/commands/${command.id}`)).body, (c) => c.status === 'delivered', { what: 'the PUBACK through broker B' });
  });

  it('moves a device with a QoS 1 message it never acknowledged on broker A to broker B, which sends it again', async () => {
    const meter = await rig.provisionMeter(uniqueName('moved-'));
    // A raw connection, so the device can leave the broker's QoS 1 message unacknowledged.
    const raw = await RawMqttSocket.open(rig.mqttPort('broker-a'));
    closers.push(() => raw.destroy());
    raw.send({ ...(connectPacket({ clientId: meter.id, username: meter.id, password: meter.secret }) as IConnectPacket), clean: false });
    expect(await raw.next('connack', 5000)).toMatchObject({ returnCode: 0 });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: deviceTopic(meter.id, 'errors'), qos: 1 }] });
    expect(await raw.next('suback', 5000)).toMatchObject({ granted: [1] });
    // A reading that is not JSON: PUBACKed, and the reason goes to the device's errors topic at QoS 1.
    raw.send({ cmd: 'publish', topic: deviceTopic(meter.id, 'telemetry'), payload: Buffer.from('not json'), qos: 1, messageId: 2, retain: false, dup: false });
    expect(await raw.next('puback', 5000)).toBeDefined();
    const unacked = (await raw.next('publish', 5000)) as IPublishPacket | undefined;
    expect(unacked).toMatchObject({ topic: deviceTopic(meter.id, 'errors'), qos: 1 });

    // The device shows up on broker B (its old connection still open on A, as after a silent network change).
    const moved = await connectDevice('broker-b', meter, { clean: false });
    expect(moved.connack.sessionPresent).toBe(true);
    // [MQTT-3.1.4-2] the other broker closes the old connection of the same client id.
    expect(await raw.closesWithin(5000)).toBe(true);
    const resent = await waitFor(() => moved.messages, (m) => m.length > 0, { what: 'the unacknowledged message from broker B' });
    expect(resent[0]).toMatchObject({ topic: deviceTopic(meter.id, 'errors'), qos: 1 });
    expect(resent[0].payload.toString()).toBe(unacked!.payload.toString());
  });
});
