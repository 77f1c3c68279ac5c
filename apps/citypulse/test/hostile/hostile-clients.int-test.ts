import mqtt, { type MqttClient } from 'mqtt';
import type { Packet } from 'mqtt-packet';
import { deviceTopic } from '@citypulse/contracts';
import { connectPacket, RawMqttSocket, uniqueName, waitFor, type PublishingDevice } from '@citypulse/testing';
import { attackerAddress, HostileRig } from './hostile-rig.js';

/**
 * Clients that log in (or try to) and then misbehave: connect floods, guessing secrets, publishing
 * as someone else or to topics no device may write, subscribing to others' topics with
 * wildcards. Each gets its refusal — CONNACK code, closed connection, SUBACK 0x80 — and the
 * victims and operators see none of it, while the bystander devices lose nothing.
 * Failed-CONNECT limit: the default 10 per address, in a day-long window.
 */
const MAX_FAILED_PER_ADDRESS = 10;

let rig: HostileRig;
let victim: PublishingDevice;
let victimClient: MqttClient;
let operator: MqttClient;
const victimGot: string[] = [];
const operatorGot: string[] = [];

beforeAll(async () => {
  // A day-long counting window: the fixed window must not roll over in the middle of a test's attempts.
  rig = await HostileRig.start('hostile MQTT clients', {
    CP_AUTH_FAIL_MAX_PER_ADDRESS: String(MAX_FAILED_PER_ADDRESS),
    CP_AUTH_FAIL_WINDOW_S: '86400',
  });
  victim = await rig.provision();
  victimClient = await rig.cp.connectDevice(victim.id, victim.secret);
  await victimClient.subscribeAsync(
    [deviceTopic(victim.id, 'commands'), deviceTopic(victim.id, 'config'), deviceTopic(victim.id, 'errors')],
    { qos: 1 },
  );
  victimClient.on('message', (topic) => victimGot.push(topic));
  // An operator's tool watching every stream a device could try to fake.
  const token = (await rig.cp.api('POST', '/tokens', { name: uniqueName('watch'), role: 'operator' })).body;
  operator = await mqtt.connectAsync(rig.cp.mqttUrl, {
    clientId: `operator:${token.name}`,
    username: `operator:${token.name}`,
    password: token.token,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  await operator.subscribeAsync(
    ['alerts/#', 'devices/+/state', 'devices/+/command-acks', `devices/${victim.id}/telemetry`],
    { qos: 1 },
  );
  operator.on('message', (topic, payload) => operatorGot.push(`${topic} ${payload.toString().slice(0, 80)}`));
});
afterAll(async () => {
  await victimClient?.endAsync(true);
  await operator?.endAsync(true);
  await rig?.stop();
});

const login = (d: PublishingDevice, keepaliveS = 60) => ({
  clientId: d.id,
  username: d.id,
  password: d.secret,
  keepaliveS,
});

describe('connect floods', () => {
  const category = 'connect floods';

  it('answers 300 CONNECTs of unknown devices fired at once from one address with 4 until the failure limit, then 3, never 0, while devices keep connecting', async () => {
    const from = attackerAddress();
    const codes = await Promise.all(
      Array.from({ length: 300 }, async () => {
        const ghost = uniqueName('ghost-');
        const { socket, returnCode } = await RawMqttSocket.login(
          rig.mqttPort,
          { clientId: ghost, username: ghost, password: 'x'.repeat(32) },
          { localAddress: from },
        );
        await socket.destroy();
        return returnCode;
      }),
    );
    for (const code of codes)
      rig.tally.record(category, code === 4 || code === 3, `unknown device flood: CONNACK ${code}`);
    const count = (c: number) => codes.filter((x) => x === c).length;
    // Concurrent attempts all pass the check before any failure is counted, so a few more than the limit may get 4.
    expect(count(4)).toBeGreaterThanOrEqual(MAX_FAILED_PER_ADDRESS);
    expect(count(4) + count(3)).toBe(300);
    expect(count(3)).toBeGreaterThan(0);
    expect(await rig.checkSurvived(category)).toBe(true);
  });

  it('takes a reconnect storm of one device (200 CONNECTs at once, each taking over the last) without a hang, and the device can still connect after it', async () => {
    const device = await rig.provision();
    const from = attackerAddress();
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: from });
        socket.send({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clientId: device.id,
          clean: true,
          keepalive: 60,
          username: device.id,
          password: Buffer.from(device.secret),
        });
        const connack = await socket.next('connack', 10_000);
        const answered = connack !== undefined || socket.isClosed;
        await socket.destroy();
        return answered;
      }),
    );
    for (const answered of outcomes)
      rig.tally.record(category, answered, 'reconnect storm: neither CONNACK nor close within 10 s');
    expect(outcomes.every(Boolean)).toBe(true);
    const after = await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() });
    expect(after.returnCode).toBe(0);
    await after.socket.destroy();
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('credential brute force', () => {
  const category = 'credential brute force';

  it('refuses 40 guessed secrets from one address (4, then 3 once over the limit) while the device itself still connects from elsewhere', async () => {
    const device = await rig.provision();
    const from = attackerAddress();
    const codes: number[] = [];
    for (let i = 0; i < 40; i++) {
      const { socket, returnCode } = await RawMqttSocket.login(
        rig.mqttPort,
        { clientId: device.id, username: device.id, password: `guess-${i}-${'0'.repeat(24)}` },
        { localAddress: from },
      );
      await socket.destroy();
      codes.push(returnCode);
      rig.tally.record(category, returnCode === 4 || returnCode === 3, `guess ${i}: CONNACK ${returnCode}`);
    }
    expect(codes).toEqual([...Array(MAX_FAILED_PER_ADDRESS).fill(4), ...Array(40 - MAX_FAILED_PER_ADDRESS).fill(3)]);
    const real = await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() });
    expect(real.returnCode).toBe(0);
    await real.socket.destroy();
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('topic spoofing', () => {
  const category = 'topic spoofing';

  it('closes the connection of a device publishing anywhere but its own telemetry, state and command-ack topics, and nobody receives or stores a thing', async () => {
    const attacker = await rig.provision();
    const A = attacker.id;
    const V = victim.id;
    const reading = JSON.stringify({ values: { co2: 4999, temperature: 99 } });
    const cases: Array<[topic: string, qos: 0 | 1 | 2, retain: boolean]> = [
      [deviceTopic(V, 'telemetry'), 1, false],
      [deviceTopic(V, 'telemetry'), 0, false],
      [deviceTopic(V, 'telemetry'), 2, false],
      [deviceTopic(V, 'state'), 1, false],
      [deviceTopic(V, 'command-acks'), 1, false],
      [deviceTopic(V, 'commands'), 1, false],
      [deviceTopic(V, 'config'), 1, true],
      [deviceTopic(V, 'errors'), 1, false],
      [deviceTopic(A, 'commands'), 1, false],
      [deviceTopic(A, 'config'), 1, true],
      [deviceTopic(A, 'errors'), 1, false],
      ['alerts/beijing/critical', 1, false],
      ['alerts/tianjin/warning', 0, true],
      ['$SYS/broker/clients/connected', 1, false],
      [`$SYS/${rig.cp.config.instanceId}/heartbeat`, 0, false],
      ['devices/+/telemetry', 1, false],
      ['devices/#', 1, false],
      ['#', 0, false],
      [`devices/${A}/telemetry/extra`, 1, false],
      [`devices/${A}`, 1, false],
      ['devices//telemetry', 1, false],
      [`/devices/${A}/telemetry`, 1, false],
      [`devices/${A}/telemetry/`, 1, false],
      [`devices/${A}/Telemetry`, 1, false],
      [`devices/${A.toUpperCase()}/telemetry`, 1, false],
      [`devices/${A} /telemetry`, 1, false],
      [`devices/${A}\u0000/telemetry`, 1, false],
      [`devic\u0435s/${A}/telemetry`, 1, false],
      [`telemetry/${A}`, 1, false],
    ];
    for (const [topic, qos, retain] of cases) {
      const { socket } = await RawMqttSocket.login(rig.mqttPort, login(attacker), { localAddress: attackerAddress() });
      socket.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(reading),
        qos,
        messageId: qos ? 1 : undefined,
        retain,
        dup: false,
      });
      const closed = await socket.closesWithin(2000);
      const acked = socket.replies.some((p) => p.cmd === 'puback' || p.cmd === 'pubrec');
      rig.tally.record(
        category,
        closed && !acked,
        `${JSON.stringify(topic)} qos ${qos}${retain ? ' retained' : ''}: closed=${closed} acked=${acked}`,
      );
      await socket.destroy();
    }
    expect(rig.tally.wrong(category)).toEqual([]);

    // Nothing reached the victim, the operator's streams, or storage under the victim's name…
    await new Promise((r) => setTimeout(r, 500));
    expect(victimGot).toEqual([]);
    expect(operatorGot).toEqual([]);
    expect(await rig.devicesWithPoints('building')).not.toContain(V);
    // …and no spoofed retained config waits for the victim's next subscription.
    const late = await rig.cp.connectDevice(`${V}`, victim.secret);
    const retained: string[] = [];
    late.on('message', (topic) => retained.push(topic));
    await late.subscribeAsync([deviceTopic(V, 'config')], { qos: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await late.endAsync(true);
    expect(retained).toEqual([]);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('wildcard subscriptions', () => {
  const category = 'wildcard subscriptions';

  it('refuses every subscription beyond the device’s own commands, config and errors with SUBACK 0x80, keeps the connection, and delivers it nothing of others', async () => {
    // The victim client above was replaced when the spoofing test logged in as the victim: connect it again.
    victimClient = await rig.cp.connectDevice(victim.id, victim.secret);
    const victimCommands: string[] = [];
    victimClient.on('message', (topic) => victimCommands.push(topic));
    await victimClient.subscribeAsync([deviceTopic(victim.id, 'commands')], { qos: 1 });

    const attacker = await rig.provision();
    const A = attacker.id;
    const V = victim.id;
    const refused = [
      '#',
      '+',
      '+/#',
      '+/+/+',
      'devices/#',
      'devices/+',
      'devices/+/commands',
      'devices/+/+',
      'devices/+/telemetry',
      deviceTopic(V, 'commands'),
      deviceTopic(V, 'config'),
      deviceTopic(V, 'errors'),
      deviceTopic(V, 'telemetry'),
      `devices/${V}/#`,
      `devices/${V}/+`,
      `devices/${A}/#`,
      `devices/${A}/+`,
      deviceTopic(A, 'telemetry'),
      deviceTopic(A, 'state'),
      `devices/${A}/commands/#`,
      '$SYS/#',
      '$SYS/+/heartbeat',
      'alerts/#',
      'alerts/+/critical',
      `$share/g/devices/${V}/commands`,
      `$share/g/#`,
    ];
    const { socket } = await RawMqttSocket.login(rig.mqttPort, login(attacker), { localAddress: attackerAddress() });
    const own = deviceTopic(A, 'commands');
    socket.send({
      cmd: 'subscribe',
      messageId: 7,
      subscriptions: [...refused, own].map((topic) => ({ topic, qos: 1 })),
    });
    const suback = await socket.next('suback', 3000);
    const granted = suback?.cmd === 'suback' ? suback.granted : [];
    refused.forEach((topic, i) =>
      rig.tally.record(category, granted[i] === 128, `${topic}: SUBACK ${JSON.stringify(granted[i])}`),
    );
    expect(granted).toEqual([...refused.map(() => 128), 1]);

    // Traffic on the victim's topics: a command through the API, and an error answer to a bad reading.
    expect((await rig.cp.api('POST', `/devices/${V}/commands`, { name: 'reboot' })).status).toBe(201);
    await victimClient.publishAsync(deviceTopic(V, 'telemetry'), '{"values": {"co2": -5}}', { qos: 1 });
    socket.send({ cmd: 'pingreq' });
    const pong = await socket.next('pingresp', 2000);
    await new Promise((r) => setTimeout(r, 500));
    expect(pong).toBeDefined();
    expect(victimCommands).toContain(deviceTopic(V, 'commands'));
    expect(socket.replies.filter((p) => p.cmd === 'publish').map((p) => (p as { topic: string }).topic)).toEqual([]);
    await socket.destroy();
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('last wills', () => {
  const category = 'last-will abuse';

  it('refuses at CONNECT (CONNACK 5, counted) a will on any topic but the device’s own state, and nothing of it is ever published or stored', async () => {
    const device = await rig.provision();
    const D = device.id;
    const reading = JSON.stringify({ values: { co2: 4321, temperature: 55 } });
    const cases: Array<[topic: string, payload: string]> = [
      [deviceTopic(D, 'telemetry'), reading],
      [deviceTopic(D, 'command-acks'), JSON.stringify({ commandId: 'c-1', status: 'succeeded' })],
      [deviceTopic(D, 'errors'), '{}'],
      [deviceTopic(D, 'commands'), '{"name":"reboot"}'],
      [deviceTopic(D, 'config'), '{}'],
      [deviceTopic(victim.id, 'state'), '{"online":false}'],
      [deviceTopic(victim.id, 'telemetry'), reading],
      ['alerts/beijing/critical', '{}'],
      [`devices/${D}/state/extra`, '{"online":false}'],
    ];
    const countedBefore = await rig.metric('citypulse_mqtt_auth_failures_total{reason="will_topic_not_allowed"}');
    const operatorGotBefore = operatorGot.length;
    for (const [topic, payload] of cases) {
      const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
      socket.send({
        ...connectPacket(login(device)),
        will: { topic, payload: Buffer.from(payload), qos: 1, retain: false },
      } as Packet);
      const connack = await socket.next('connack', 3000);
      const code = connack?.cmd === 'connack' ? connack.returnCode : undefined;
      // An unclean end: a will the broker had taken would go out now.
      await socket.destroy();
      rig.tally.record(category, code === 5, `will on ${topic}: CONNACK ${code}`);
    }
    expect(rig.tally.wrong(category)).toEqual([]);
    expect(
      (await rig.metric('citypulse_mqtt_auth_failures_total{reason="will_topic_not_allowed"}')) - countedBefore,
    ).toBe(cases.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(operatorGot.slice(operatorGotBefore).filter((m) => m.includes(D) || m.includes(victim.id))).toEqual([]);
    expect(await rig.devicesWithPoints('building')).not.toContain(D);
    expect(await rig.devicesWithPoints('building')).not.toContain(victim.id);
    expect(await rig.checkSurvived(category)).toBe(true);
  });

  it('still takes a will on the device’s own state topic and publishes it when the connection drops', async () => {
    const device = await rig.provision();
    const socket = await RawMqttSocket.open(rig.mqttPort, { localAddress: attackerAddress() });
    socket.send({
      ...connectPacket(login(device)),
      will: { topic: deviceTopic(device.id, 'state'), payload: Buffer.from('{"online":false}'), qos: 1, retain: false },
    } as Packet);
    const connack = await socket.next('connack', 3000);
    expect(connack).toMatchObject({ returnCode: 0 });
    await socket.destroy();
    await waitFor(
      () => operatorGot,
      (got) => got.some((m) => m.startsWith(`${deviceTopic(device.id, 'state')} {"online":false}`)),
      { timeoutMs: 5000, what: 'the will on the state topic' },
    );
  });
});

describe('retained publishes', () => {
  const category = 'retained device publishes';

  it('stores a retained reading but never keeps it in the broker: a later subscriber gets no replay without a timestamp', async () => {
    const device = await rig.provision();
    const { socket } = await RawMqttSocket.login(rig.mqttPort, login(device), { localAddress: attackerAddress() });
    const sent: Array<[topic: string, payload: string]> = [
      [deviceTopic(device.id, 'telemetry'), JSON.stringify({ values: { co2: 777 } })],
      [deviceTopic(device.id, 'state'), JSON.stringify({ online: true, reported: {} })],
    ];
    sent.forEach(([topic, payload], i) =>
      socket.send({
        cmd: 'publish',
        topic,
        payload: Buffer.from(payload),
        qos: 1,
        messageId: i + 1,
        retain: true,
        dup: false,
      }),
    );
    await waitFor(
      () => socket.replies.filter((p) => p.cmd === 'puback').length,
      (n) => n === sent.length || socket.isClosed,
      { timeoutMs: 5000, what: 'PUBACKs of the retained publishes' },
    );
    expect(socket.isClosed).toBe(false);
    await socket.destroy();
    // The reading is kept (it is a reading like any other)…
    await waitFor(
      () => rig.devicesWithPoints('building'),
      (ids) => ids.includes(device.id),
      { timeoutMs: 10_000, what: 'the retained reading stored' },
    );
    // …but a tool subscribing afterwards is not handed an old message as if it were new.
    const token = (await rig.cp.api('POST', '/tokens', { name: uniqueName('late'), role: 'operator' })).body;
    const late = await mqtt.connectAsync(rig.cp.mqttUrl, {
      clientId: `operator:${token.name}`,
      username: `operator:${token.name}`,
      password: token.token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const replayed: string[] = [];
    late.on('message', (topic) => replayed.push(topic));
    await late.subscribeAsync(
      [deviceTopic(device.id, 'telemetry'), deviceTopic(device.id, 'state'), 'devices/+/telemetry'],
      { qos: 1 },
    );
    await new Promise((r) => setTimeout(r, 500));
    await late.endAsync(true);
    const mine = replayed.filter((t) => t.includes(device.id));
    sent.forEach(([topic]) =>
      rig.tally.record(category, !mine.includes(topic), `retained ${topic}: replayed to a later subscriber`),
    );
    expect(mine).toEqual([]);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('well-behaved devices publishing throughout', () => {
  it('lost none of their PUBACKed readings', async () => {
    expect(await rig.bystandersStillAcked()).toBeGreaterThan(100);
    expect(await rig.bystandersLost()).toEqual([]);
  });
});
