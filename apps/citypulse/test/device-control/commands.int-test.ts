import mqtt, { type MqttClient } from 'mqtt';
import type { CommandMessage, DeviceErrorMessage } from '@citypulse/contracts';
import type { DeviceClient } from '@citypulse/device-client';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { deviceClient, provisionDevice, record, type TestDevice } from './fleet-helpers.js';
import { received, silentDevice } from './silent-device.js';

/** Commands over real connections: API → Redis → broker → device → ack → API, and BullMQ deadlines. */
describe('device commands', () => {
  let cp: TestCitypulse;
  const clients: DeviceClient[] = [];
  const raw: MqttClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    for (const r of raw) r.end(true);
    await cp?.stop();
  });

  function client(device: TestDevice) {
    const c = deviceClient(cp.mqttUrl, device);
    clients.push(c);
    return c;
  }
  async function rawDevice(device: TestDevice): Promise<MqttClient> {
    const c = await cp.connectDevice(device.id, device.secret);
    raw.push(c);
    return c;
  }
  const send = (id: string, body: unknown) => cp.api('POST', `/devices/${id}/commands`, body);
  const commandOf = async (id: string, commandId: string) =>
    (await cp.api('GET', `/devices/${id}/commands/${commandId}`)).body;
  const statusIs = (id: string, commandId: string, status: string) =>
    waitFor(
      () => commandOf(id, commandId),
      (c) => c.status === status,
      { what: `command ${commandId} ${status}` },
    );

  it('moves a command pending → delivered (PUBACK) → succeeded (ack), with the device’s result', async () => {
    const device = await provisionDevice(cp);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    // The firmware holds its answer until the test has seen "delivered".
    const sensor = client(device).handleCommand('set-interval', async (params) => {
      await released;
      return { interval_s: params.interval_s };
    });
    const commands = record<CommandMessage>(sensor, 'command');
    await sensor.start();

    const created = await send(device.id, { name: 'set-interval', params: { interval_s: 10 }, timeoutS: 30 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      deviceId: device.id,
      name: 'set-interval',
      params: { interval_s: 10 },
      status: 'pending',
    });
    expect(Date.parse(created.body.deadline) - Date.parse(created.body.issuedAt)).toBe(30_000);

    const delivered = await statusIs(device.id, created.body.id, 'delivered');
    expect(delivered.deliveredAt).toEqual(expect.any(String));
    expect(commands).toEqual([
      {
        id: created.body.id,
        name: 'set-interval',
        params: { interval_s: 10 },
        issuedAt: created.body.issuedAt,
        deadline: created.body.deadline,
      },
    ]);
    release();
    const done = await statusIs(device.id, created.body.id, 'succeeded');
    expect(done).toMatchObject({ result: { interval_s: 10 }, finishedAt: expect.any(String) });
  });

  it('records a failure with the device’s error', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(device).handleCommand('reboot', () => {
      throw new Error('flash write in progress');
    });
    await sensor.start();
    const { body } = await send(device.id, { name: 'reboot' });
    expect(await statusIs(device.id, body.id, 'failed')).toMatchObject({
      error: 'flash write in progress',
      deliveredAt: expect.any(String),
    });
  });

  it('keeps a command for an offline device pending and delivers it when the device connects', async () => {
    const device = await provisionDevice(cp, 'signal-controller', 'tianjin');
    const { body } = await send(device.id, { name: 'set-phase', params: { phase: 4 }, timeoutS: 60 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await commandOf(device.id, body.id)).status).toBe('pending');

    const controller = client(device).handleCommand('set-phase', (params) => ({ phase: params.phase }));
    await controller.start();
    expect(await statusIs(device.id, body.id, 'succeeded')).toMatchObject({ result: { phase: 4 } });
  });

  it('times a command out at its deadline when the device never answers, and refuses a late ack with command_closed', async () => {
    const device = await provisionDevice(cp);
    const mute = await rawDevice(device);
    await mute.subscribeAsync([`devices/${device.id}/commands`, `devices/${device.id}/errors`], { qos: 1 });
    const errors: DeviceErrorMessage[] = [];
    mute.on('message', (topic, payload) => topic.endsWith('/errors') && errors.push(JSON.parse(payload.toString())));

    const { body } = await send(device.id, { name: 'reboot', timeoutS: 1 });
    await statusIs(device.id, body.id, 'delivered');
    const timedOut = await statusIs(device.id, body.id, 'timed-out');
    expect(timedOut.finishedAt >= timedOut.deadline).toBe(true);

    await mute.publishAsync(`devices/${device.id}/command-acks`, JSON.stringify({ id: body.id, status: 'succeeded' }), {
      qos: 1,
    });
    await waitFor(
      () => errors,
      (e) => e.length === 1,
      { what: 'the late ack refused' },
    );
    expect(errors[0]).toMatchObject({
      topic: `devices/${device.id}/command-acks`,
      accepted: 0,
      rejected: [expect.objectContaining({ reason: 'command_closed', field: 'id' })],
    });
    expect((await commandOf(device.id, body.id)).status).toBe('timed-out');
    const metrics = await (
      await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
        headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
      })
    ).text();
    expect(metrics).toMatch(/citypulse_command_transitions_total\{status="timed-out"\} [1-9]/);
    expect(metrics).toMatch(
      /citypulse_device_messages_rejected_total\{kind="command-acks",reason="command_closed"\} [1-9]/,
    );
  });

  it('leaves a command the device never PUBACKed pending, and sends it again on the next connection', async () => {
    const device = await provisionDevice(cp);
    const silent = await silentDevice(cp.running.mqttPort!, device);
    const { body } = await send(device.id, { name: 'reboot', timeoutS: 60 });
    const [command] = await waitFor(
      () => received(silent),
      (r) => r.length === 1,
      { what: 'the command on the wire' },
    );
    expect(JSON.parse(command.payload.toString())).toMatchObject({ id: body.id, name: 'reboot' });
    expect(command.qos).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect((await commandOf(device.id, body.id)).status).toBe('pending');
    await silent.destroy();

    const sensor = client(device).handleCommand('reboot', () => 'rebooting');
    await sensor.start();
    expect(await statusIs(device.id, body.id, 'succeeded')).toMatchObject({ result: 'rebooting' });
  });

  it('never lets a device receive, subscribe to or settle another device’s commands', async () => {
    const [target, other] = [await provisionDevice(cp), await provisionDevice(cp)];
    const intruder = await rawDevice(other);
    const subscribing = intruder.subscribeAsync(
      [
        `devices/${target.id}/commands`,
        'devices/+/commands',
        `devices/${other.id}/commands`,
        `devices/${other.id}/errors`,
      ],
      { qos: 1 },
    );
    await expect(subscribing).rejects.toMatchObject({ packet: { cmd: 'suback', granted: [128, 128, 1, 1] } });
    const seen: string[] = [];
    const errors: DeviceErrorMessage[] = [];
    intruder.on('message', (topic, payload) =>
      topic.endsWith('/errors') ? errors.push(JSON.parse(payload.toString())) : seen.push(topic),
    );

    const { body } = await send(target.id, { name: 'reboot', timeoutS: 60 });
    // Acking the other device's command from one's own topic is refused as unknown.
    await intruder.publishAsync(
      `devices/${other.id}/command-acks`,
      JSON.stringify({ id: body.id, status: 'succeeded' }),
      { qos: 1 },
    );
    await waitFor(
      () => errors,
      (e) => e.length === 1,
      { what: 'the refused ack' },
    );
    expect(errors[0].rejected).toEqual([expect.objectContaining({ reason: 'unknown_command' })]);

    const victim = client(target).handleCommand('reboot', () => 'ok');
    await victim.start();
    await statusIs(target.id, body.id, 'succeeded');
    expect(seen).toEqual([]);
  });

  it('delivers to a device with a persistent session (clean = false) on its restored subscription, without a new SUBSCRIBE', async () => {
    const device = await provisionDevice(cp);
    const first = await cp.connectDevice(device.id, device.secret, { clean: false });
    await first.subscribeAsync([`devices/${device.id}/commands`, `devices/${device.id}/config`], { qos: 1 });
    await first.endAsync();
    const { body } = await send(device.id, { name: 'reboot', timeoutS: 60 });
    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, { desired: { reporting_interval_s: 7 } });

    const received: Array<{ topic: string; body: any }> = [];
    // No SUBSCRIBE this time: the broker restores the session's subscriptions at CONNECT.
    const again = mqtt.connect(cp.mqttUrl, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 0,
    });
    raw.push(again);
    again.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString()) }));
    await waitFor(
      () => received,
      (r) => r.length === 2,
      { what: 'the command and the config' },
    );
    expect(received.map((r) => r.topic).sort()).toEqual([
      `devices/${device.id}/commands`,
      `devices/${device.id}/config`,
    ]);
    expect(received.find((r) => r.topic.endsWith('/commands'))!.body.id).toBe(body.id);
    await statusIs(device.id, body.id, 'delivered');
  });

  it('answers bad command requests with 400 naming the field, and unknown devices or commands with 404', async () => {
    const device = await provisionDevice(cp);
    const unknownName = await send(device.id, { name: 'set-phase', params: { phase: 1 } });
    expect(unknownName.status).toBe(400);
    expect(unknownName.body.fields).toEqual([expect.objectContaining({ field: 'name' })]);
    const badParam = await send(device.id, { name: 'set-interval', params: { interval_s: 0, extra: true } });
    expect(badParam.body.fields.map((f: any) => f.field).sort()).toEqual(['params.extra', 'params.interval_s']);
    expect((await send(device.id, { name: 'set-interval' })).body.fields).toEqual([
      expect.objectContaining({ field: 'params.interval_s' }),
    ]);
    expect((await send(device.id, { name: 'reboot', timeoutS: 90_000 })).body.fields).toEqual([
      expect.objectContaining({ field: 'timeoutS' }),
    ]);
    expect((await send(device.id, { name: 'reboot', timeoutS: 0 })).body.fields).toEqual([
      expect.objectContaining({ field: 'timeoutS' }),
    ]);
    expect((await send('no-such-device', { name: 'reboot' })).status).toBe(404);
    expect((await cp.api('GET', `/devices/${device.id}/commands/00000000-0000-0000-0000-000000000000`)).status).toBe(
      404,
    );
    expect((await cp.api('GET', `/devices/${device.id}/commands`)).body.items).toEqual([]);
  });

  it('lists a device’s commands newest first, filtered by status, and hides another device’s command', async () => {
    const [device, other] = [await provisionDevice(cp), await provisionDevice(cp)];
    const first = (await send(device.id, { name: 'reboot' })).body;
    const second = (await send(device.id, { name: 'set-interval', params: { interval_s: 5 } })).body;
    const list = await cp.api('GET', `/devices/${device.id}/commands`);
    expect(list.body.items.map((c: any) => c.id)).toEqual([second.id, first.id]);
    expect(
      (await cp.api('GET', `/devices/${device.id}/commands?limit=1&offset=1`)).body.items.map((c: any) => c.id),
    ).toEqual([first.id]);
    expect((await cp.api('GET', `/devices/${device.id}/commands?offset=-1`)).body.fields).toEqual([
      expect.objectContaining({ field: 'offset' }),
    ]);
    expect((await cp.api('GET', `/devices/${device.id}/commands?status=succeeded`)).body.items).toEqual([]);
    expect((await cp.api('GET', `/devices/${device.id}/commands?status=lost`)).status).toBe(400);
    expect((await cp.api('GET', `/devices/${other.id}/commands/${first.id}`)).status).toBe(404);
  });
});
