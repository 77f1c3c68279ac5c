import type { IPublishPacket } from 'mqtt';
import type { IConnectPacket } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import { RawMqttSocket, connectPacket, uniqueName, waitFor } from '@citypulse/testing';
import { ScaleOutRig } from './scale-out-rig.js';
import { itBehavesAsOneDeployment, meterValues } from './scale-out-checks.js';

/**
 * Scale-out (CP_MQTT_CLUSTER=redis): two brokers behind what would be a TCP load balancer, two
 * ingest and two alerts workers. Devices land on either broker; the deployment must behave as one.
 */
describe('two brokers sharing their MQTT state through Redis, two ingest and two alerts workers', () => {
  let rig: ScaleOutRig;

  beforeAll(async () => {
    rig = await ScaleOutRig.start();
  }, 90_000);
  afterAll(async () => {
    await rig?.stop();
  });

  itBehavesAsOneDeployment(() => rig);

  it('routes telemetry from a device on broker A to an operator watching on broker B', async () => {
    const meter = await rig.provisionMeter(uniqueName('watched-'));
    const operator = await rig.connectOperator('broker-b');
    const seen: string[] = [];
    operator.on('message', (topic) => seen.push(topic));
    await operator.subscribeAsync('devices/+/telemetry', { qos: 0 });

    // Broker A has no telemetry subscriber of its own: it must route the reading all the same.
    const { client } = await rig.connectDevice('broker-a', meter);
    await client.publishAsync(deviceTopic(meter.id, 'telemetry'), JSON.stringify({ values: meterValues() }), {
      qos: 1,
    });
    await waitFor(
      () => seen,
      (topics) => topics.includes(deviceTopic(meter.id, 'telemetry')),
      { what: 'the reading on broker B' },
    );
    await client.endAsync();
  });

  it('moves a device with a QoS 1 message it never acknowledged on broker A to broker B, which sends it again', async () => {
    const meter = await rig.provisionMeter(uniqueName('moved-'));
    // A raw connection, so the device can leave the broker's QoS 1 message unacknowledged.
    const raw = await RawMqttSocket.open(rig.mqttPort('broker-a'));
    rig.closeOnStop(() => raw.destroy());
    raw.send({
      ...(connectPacket({ clientId: meter.id, username: meter.id, password: meter.secret }) as IConnectPacket),
      clean: false,
    });
    expect(await raw.next('connack', 5000)).toMatchObject({ returnCode: 0 });
    raw.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: deviceTopic(meter.id, 'errors'), qos: 1 }] });
    expect(await raw.next('suback', 5000)).toMatchObject({ granted: [1] });
    // A reading that is not JSON: PUBACKed, and the reason goes to the device's errors topic at QoS 1.
    raw.send({
      cmd: 'publish',
      topic: deviceTopic(meter.id, 'telemetry'),
      payload: Buffer.from('not json'),
      qos: 1,
      messageId: 2,
      retain: false,
      dup: false,
    });
    expect(await raw.next('puback', 5000)).toBeDefined();
    const unacked = (await raw.next('publish', 5000)) as IPublishPacket | undefined;
    expect(unacked).toMatchObject({ topic: deviceTopic(meter.id, 'errors'), qos: 1 });

    // The device shows up on broker B (its old connection still open on A, as after a silent network change).
    const moved = await rig.connectDevice('broker-b', meter, { clean: false });
    expect(moved.connack.sessionPresent).toBe(true);
    // [MQTT-3.1.4-2] the other broker closes the old connection of the same client id.
    expect(await raw.closesWithin(5000)).toBe(true);
    const resent = await waitFor(
      () => moved.messages,
      (m) => m.length > 0,
      { what: 'the unacknowledged message from broker B' },
    );
    expect(resent[0]).toMatchObject({ topic: deviceTopic(meter.id, 'errors'), qos: 1 });
    expect(resent[0].payload.toString()).toBe(unacked!.payload.toString());
  });
});
