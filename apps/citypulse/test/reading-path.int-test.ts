import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { getDeviceType } from '@citypulse/devices';
import { deviceTopic } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from './harness.js';

const run = promisify(execFile);

/** The path of one reading (ARCHITECTURE.md), through the real broker, Redis, InfluxDB and BullMQ. */
describe('the path of one reading', () => {
  let cp: TestCitypulse;
  const envSensor = getDeviceType('env-sensor')!;

  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await cp?.stop();
  });

  async function newDevice(city = 'beijing') {
    const id = uniqueName('dev-');
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-tower-1` });
    return { id, secret };
  }

  const storedRows = (id: string) =>
    cp.influx.query(`SELECT * FROM "${envSensor.measurement}" WHERE device_id = '${id}'`);

  it('stores a reading published by the third-party mosquitto_pub with the device’s credentials', async () => {
    const { id, secret } = await newDevice('tianjin');
    const payload = JSON.stringify({ values: { temperature: 21.5, humidity: 40, co2: 600, occupancy: 12 } });
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(cp.running.mqttPort),
      '-V',
      'mqttv311',
      '-i',
      id,
      '-u',
      id,
      '-P',
      secret,
      '-q',
      '1',
      '-t',
      deviceTopic(id, 'telemetry'),
      '-m',
      payload,
    ]);

    const rows = await waitFor(
      () => storedRows(id),
      (r) => r.length === 1,
      { what: 'the point in InfluxDB' },
    );
    expect(rows[0]).toMatchObject({
      temperature: 21.5,
      humidity: 40,
      co2: 600,
      occupancy: 12,
      city: 'tianjin',
      site: 'tianjin-tower-1',
      device_type: 'env-sensor',
      device_id: id,
    });

    const latest = await cp.api('GET', `/telemetry/${id}/latest`);
    expect(latest.status).toBe(200);
    expect(latest.body.reading).toEqual({
      time: rows[0].time,
      temperature: 21.5,
      humidity: 40,
      co2: 600,
      occupancy: 12,
      city: 'tianjin',
      site: 'tianjin-tower-1',
      device_type: 'env-sensor',
      device_id: id,
    });
  });

  it('refuses a wrong password at CONNECT with "bad user name or password"', async () => {
    const { id } = await newDevice();
    const refused = run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(cp.running.mqttPort),
      '-V',
      'mqttv311',
      '-i',
      id,
      '-u',
      id,
      '-P',
      'not-the-secret',
      '-q',
      '1',
      '-t',
      deviceTopic(id, 'telemetry'),
      '-m',
      '{}',
    ]);
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringMatching(/bad user name or password/i) });
    await expect(cp.connectDevice(id, 'not-the-secret')).rejects.toMatchObject({ code: 4 });
  });

  it('refuses an unknown device and a client id that is not the device id', async () => {
    const { id, secret } = await newDevice();
    await expect(cp.connectDevice(uniqueName('ghost-'), secret)).rejects.toMatchObject({ code: 4 });
    await expect(cp.connectDevice(id, secret, { clientId: `${id}-other` })).rejects.toMatchObject({ code: 2 });
  });

  it('tells the device why a bad payload was rejected, counts it, and still stores the good readings of the batch', async () => {
    const { id, secret } = await newDevice();
    const device = await cp.connectDevice(id, secret);
    await device.subscribeAsync(deviceTopic(id, 'errors'), { qos: 1 });
    const errorMessage = new Promise<any>((resolve) =>
      device.once('message', (_t, payload) => resolve(JSON.parse(payload.toString()))),
    );

    const now = Date.now();
    const batch = {
      readings: [
        { ts: now - 2000, values: { temperature: 20, humidity: 41, co2: 500, occupancy: 3 } },
        { ts: now - 1000, values: { temperature: 'warm', humidity: 41, co2: 500, occupancy: 3 } },
        { ts: now, values: { temperature: 22, humidity: 42, co2: 510, occupancy: 4 } },
      ],
    };
    await device.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify(batch), { qos: 1 });

    const message = await errorMessage;
    expect(message.accepted).toBe(2);
    expect(message.rejected).toEqual([
      expect.objectContaining({ reason: 'wrong_type', index: 1, field: 'temperature' }),
    ]);
    const rows = await waitFor(
      () => storedRows(id),
      (r) => r.length === 2,
      { what: 'the two good readings' },
    );
    expect(rows.map((r: any) => r.temperature)).toEqual([20, 22]);

    const rejections = await cp.api('GET', `/rejections?deviceId=${id}`);
    expect(rejections.status).toBe(200);
    expect(rejections.body.items[0]).toMatchObject({
      deviceId: id,
      rejected: [expect.objectContaining({ reason: 'wrong_type' })],
    });
    expect(rejections.body.counts.byDevice[id]).toBe(1);
    await device.endAsync();
  });

  it('disconnects a device that publishes to another device’s topic and stores nothing there', async () => {
    const a = await newDevice();
    const b = await newDevice();
    const device = await cp.connectDevice(a.id, a.secret);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish(deviceTopic(b.id, 'telemetry'), JSON.stringify({ values: { temperature: 20 } }), { qos: 1 });
    await closed;
    await new Promise((r) => setTimeout(r, 300));
    expect(await storedRows(b.id)).toHaveLength(0);
    device.end(true);
  });

  it('refuses subscriptions to other devices’ topics and to wildcards with SUBACK failure', async () => {
    const a = await newDevice();
    const device = await cp.connectDevice(a.id, a.secret);
    const refused = device.subscribeAsync(
      ['devices/+/errors', deviceTopic('someone-else', 'commands'), deviceTopic(a.id, 'commands')],
      { qos: 1 },
    );
    // mqtt.js rejects when any return code is a failure; the SUBACK itself carries all three.
    await expect(refused).rejects.toMatchObject({ packet: { cmd: 'suback', granted: [128, 128, 1] } });
    expect(device.connected).toBe(true);
    await device.endAsync();
  });

  it('raises an alert through BullMQ when readings cross a default threshold for the rule’s duration, readable from the API', async () => {
    const rule = envSensor.defaultRules.find((r) => r.condition === 'above')!;
    const { id, secret } = await newDevice('shijiazhuang');
    const device = await cp.connectDevice(id, secret);
    const spec = envSensor.fields[rule.field];
    const high = Math.min(spec.max ?? Infinity, rule.threshold + 5);
    const now = Date.now();
    // Event time drives the duration: readings spanning longer than forSeconds raise it at once.
    const readings = [rule.forSeconds + 10, Math.ceil(rule.forSeconds / 2), 0].map((ageS) => ({
      ts: now - ageS * 1000,
      values: { [rule.field]: high },
    }));
    await device.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify({ readings }), { qos: 1 });

    const alerts = await waitFor(
      async () => (await cp.api('GET', '/alerts?state=open')).body.items.filter((a: any) => a.deviceId === id),
      (items) => items.length === 1,
      { what: 'an open alert in the API' },
    );
    expect(alerts[0]).toMatchObject({
      ruleId: `env-sensor.${rule.id}`,
      deviceId: id,
      city: 'shijiazhuang',
      severity: rule.severity,
      state: 'open',
      lastValue: high,
    });
    await device.endAsync();
  });

  it('requires a token on the HTTP API', async () => {
    expect((await cp.api('GET', '/devices', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    const anonymous = await fetch(`http://127.0.0.1:${cp.running.httpPort}/devices`);
    expect(anonymous.status).toBe(401);
  });

  it('answers a bad provisioning request with 400 naming the field', async () => {
    const { status, body } = await cp.api('POST', '/devices', {
      id: 'ok-id',
      type: 'toaster',
      city: 'beijing',
      site: 's',
    });
    expect(status).toBe(400);
    expect(body.fields).toEqual([expect.objectContaining({ field: 'type' })]);
  });
});
