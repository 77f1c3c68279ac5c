import mqtt from 'mqtt';
import type { ConfigMessage, DeviceErrorMessage } from '@citypulse/contracts';
import type { DeviceClient } from '@citypulse/device-client';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { deviceClient, provisionDevice, record } from './fleet-helpers.js';

/** The device shadow over real connections: API → Redis → broker → device, and device → broker → API. */
describe('device shadow: desired and reported configuration', () => {
  let cp: TestCitypulse;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cp?.stop();
  });

  function client(...args: Parameters<typeof deviceClient>) {
    const c = deviceClient(...args);
    clients.push(c);
    return c;
  }
  const shadowOf = async (id: string) => (await cp.api('GET', `/devices/${id}/shadow`)).body;

  it('delivers a desired configuration set while the device was offline when it connects; once it reports, the delta is empty', async () => {
    const device = await provisionDevice(cp);
    const put = await cp.api('PUT', `/devices/${device.id}/shadow/desired`, {
      desired: { reporting_interval_s: 15, co2_alarm_ppm: 1200 },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      desiredVersion: 1,
      delta: { reporting_interval_s: 15, co2_alarm_ppm: 1200 },
      reported: {},
      reportedVersion: 0,
    });

    // The firmware applies what it is told and reports it back (the handler's return value).
    const device1 = client(cp.mqttUrl, device).onConfig((desired) => desired);
    const configs = record<ConfigMessage>(device1, 'config');
    await device1.start();

    await waitFor(
      () => configs,
      (c) => c.length === 1,
      { what: 'the desired config on connect' },
    );
    expect(configs[0]).toMatchObject({ version: 1, desired: { reporting_interval_s: 15, co2_alarm_ppm: 1200 } });
    const shadow = await waitFor(
      () => shadowOf(device.id),
      (s) => s.reportedVersion === 1,
      { what: 'the reported state' },
    );
    expect(shadow).toMatchObject({
      desired: { reporting_interval_s: 15, co2_alarm_ppm: 1200 },
      reported: { reporting_interval_s: 15, co2_alarm_ppm: 1200 },
      delta: {},
      desiredVersion: 1,
      desiredAt: expect.any(String),
      reportedAt: expect.any(String),
    });
  });

  it('delivers a desired change to a connected device at once, on its open connection', async () => {
    const device = await provisionDevice(cp, 'hvac-unit');
    const hvac = client(cp.mqttUrl, device);
    const configs = record<ConfigMessage>(hvac, 'config');
    await hvac.start();
    // Nothing desired yet: nothing is sent at connect.
    await new Promise((r) => setTimeout(r, 200));
    expect(configs).toEqual([]);

    let receivedAt = 0;
    hvac.once('config', () => (receivedAt = Date.now()));
    const sentAt = Date.now();
    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, { desired: { mode: 'cool', setpoint_temp: 21.5 } });
    await waitFor(
      () => configs,
      (c) => c.length === 1,
      { what: 'the pushed config' },
    );
    const latencyMs = receivedAt - sentAt;
    expect(configs[0]).toMatchObject({ version: 1, desired: { mode: 'cool', setpoint_temp: 21.5 } });
    expect(hvac.stats.connects).toBe(1);

    // A partial update: the device gets the whole desired configuration, with the new version.
    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, {
      desired: { setpoint_temp: null, reporting_interval_s: 20 },
    });
    await waitFor(
      () => configs,
      (c) => c.length === 2,
      { what: 'the second config' },
    );
    expect(configs[1]).toMatchObject({ version: 2, desired: { mode: 'cool', reporting_interval_s: 20 } });
    expect(configs[1].desired).not.toHaveProperty('setpoint_temp');
    console.log(`desired config reached the connected device ${latencyMs} ms after the PUT was sent`);
  });

  it('keeps what the device reports and shows as delta only the desired keys it has not reached', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(cp.mqttUrl, device);
    await sensor.start();
    sensor.reportState({ reporting_interval_s: 60, display_enabled: true });
    await waitFor(
      () => shadowOf(device.id),
      (s) => s.reportedVersion === 1,
      { what: 'the first report' },
    );
    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, {
      desired: { reporting_interval_s: 30, display_enabled: true },
    });
    expect(await shadowOf(device.id)).toMatchObject({
      reported: { reporting_interval_s: 60, display_enabled: true },
      delta: { reporting_interval_s: 30 },
    });
    sensor.reportState({ reporting_interval_s: 30 });
    const shadow = await waitFor(
      () => shadowOf(device.id),
      (s) => s.reportedVersion === 2,
      { what: 'the second report' },
    );
    expect(shadow).toMatchObject({ reported: { reporting_interval_s: 30, display_enabled: true }, delta: {} });
  });

  it('refuses a report with a key or value outside the type’s config schema, on the device’s error topic, and keeps nothing of it', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(cp.mqttUrl, device);
    const rejections = record<DeviceErrorMessage>(sensor, 'rejection');
    await sensor.start();
    sensor.reportState({ reporting_interval_s: 10, co2_alarm_ppm: 99_999 });
    sensor.reportState({ setpoint_temp: 20 });
    await waitFor(
      () => rejections,
      (r) => r.length === 2,
      { what: 'two rejections' },
    );
    expect(rejections.map((r) => r.rejected[0])).toEqual([
      expect.objectContaining({ reason: 'out_of_range', field: 'reported.co2_alarm_ppm' }),
      expect.objectContaining({ reason: 'unknown_field', field: 'reported.setpoint_temp' }),
    ]);
    expect(rejections[0]).toMatchObject({ topic: `devices/${device.id}/state`, accepted: 0 });
    expect(await shadowOf(device.id)).toMatchObject({ reported: {}, reportedVersion: 0 });
    const { body } = await cp.api('GET', `/rejections?deviceId=${device.id}`);
    expect(body.items).toHaveLength(2);
  });

  it('takes the last will {"online": false} on the state topic without touching the reported state, and presence records the will', async () => {
    const device = await provisionDevice(cp);
    // The device-side client's will, on a raw connection we can cut abruptly.
    const raw = await mqtt.connectAsync(cp.mqttUrl, {
      clientId: device.id,
      username: device.id,
      password: device.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: `devices/${device.id}/state`, payload: Buffer.from('{"online":false}'), qos: 1, retain: false },
    });
    await raw.publishAsync(`devices/${device.id}/state`, JSON.stringify({ reported: { reporting_interval_s: 45 } }), {
      qos: 1,
    });
    raw.stream.destroy();
    const presence = await waitFor(
      async () => (await cp.api('GET', `/devices/${device.id}`)).body.presence,
      (p) => p.online === false,
      { what: 'offline' },
    );
    expect(presence).toMatchObject({ offlineReason: 'connection_lost', lastWill: true });
    expect(await shadowOf(device.id)).toMatchObject({ reported: { reporting_interval_s: 45 }, reportedVersion: 1 });
    expect((await cp.api('GET', `/rejections?deviceId=${device.id}`)).body.items).toEqual([]);
  });

  it('answers bad desired updates with 400 naming the key, a stale version with 409, and changes nothing', async () => {
    const device = await provisionDevice(cp);
    const path = `/devices/${device.id}/shadow/desired`;
    const unknown = await cp.api('PUT', path, { desired: { setpoint_temp: 20, reporting_interval_s: 0 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.fields.map((f: any) => f.field).sort()).toEqual([
      'desired.reporting_interval_s',
      'desired.setpoint_temp',
    ]);
    expect((await cp.api('PUT', path, { desired: {} })).body.fields).toEqual([
      expect.objectContaining({ field: 'desired' }),
    ]);
    expect((await cp.api('PUT', path, { desired: 'fast' })).status).toBe(400);
    expect((await cp.api('PUT', path, { desired: { reporting_interval_s: 5 }, extra: 1 })).status).toBe(400);

    expect((await cp.api('PUT', path, { desired: { reporting_interval_s: 5 }, version: 0 })).status).toBe(200);
    const stale = await cp.api('PUT', path, { desired: { reporting_interval_s: 6 }, version: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentVersion: 1, fields: [expect.objectContaining({ field: 'version' })] });
    expect(await shadowOf(device.id)).toMatchObject({ desired: { reporting_interval_s: 5 }, desiredVersion: 1 });
  });

  it('keeps shadows within the caller’s cities: another city’s device is 404, and a read-only token may not set desired', async () => {
    const device = await provisionDevice(cp, 'env-sensor', 'tianjin');
    const beijingAdmin = (
      await cp.api('POST', '/tokens', { name: 'bj-shadow-admin', role: 'admin', cities: ['beijing'] })
    ).body.token;
    const tianjinOperator = (
      await cp.api('POST', '/tokens', { name: 'tj-shadow-operator', role: 'operator', cities: ['tianjin'] })
    ).body.token;
    expect((await cp.api('GET', `/devices/${device.id}/shadow`, undefined, beijingAdmin)).status).toBe(404);
    expect(
      (
        await cp.api(
          'PUT',
          `/devices/${device.id}/shadow/desired`,
          { desired: { reporting_interval_s: 5 } },
          beijingAdmin,
        )
      ).status,
    ).toBe(404);
    expect((await cp.api('GET', `/devices/${device.id}/shadow`, undefined, tianjinOperator)).status).toBe(200);
    expect(
      (
        await cp.api(
          'PUT',
          `/devices/${device.id}/shadow/desired`,
          { desired: { reporting_interval_s: 5 } },
          tianjinOperator,
        )
      ).status,
    ).toBe(403);
    expect((await cp.api('GET', '/devices/nobody-here/shadow')).status).toBe(404);
    expect((await cp.api('GET', `/devices/${device.id}/shadow`, undefined, 'wrong-token')).status).toBe(401);
  });

  it('forgets the shadow and the commands of a deleted device, so one provisioned again under its id starts clean', async () => {
    const device = await provisionDevice(cp);
    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, { desired: { reporting_interval_s: 5 } });
    const command = (await cp.api('POST', `/devices/${device.id}/commands`, { name: 'reboot' })).body;
    expect((await cp.api('DELETE', `/devices/${device.id}`)).status).toBe(204);
    await cp.provision({ id: device.id, type: 'env-sensor', city: 'beijing', site: 'beijing-site-1' });
    await waitFor(
      () => shadowOf(device.id),
      (s) => s.desiredVersion === 0,
      { what: 'an empty shadow' },
    );
    expect((await cp.api('GET', `/devices/${device.id}/commands`)).body.items).toEqual([]);
    expect((await cp.api('GET', `/devices/${device.id}/commands/${command.id}`)).status).toBe(404);
  });
});
