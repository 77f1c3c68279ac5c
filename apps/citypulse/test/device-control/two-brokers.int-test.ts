import type { ConfigMessage } from '@citypulse/contracts';
import type { DeviceClient } from '@citypulse/device-client';
import { freePort, waitFor } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';
import { TestCitypulse } from '../harness.js';
import { deviceClient, provisionDevice, record } from './fleet-helpers.js';

/**
 * Several brokers share Redis; the API does not know which one holds a device. A desired change
 * and a command must reach the device on whichever broker it is connected to.
 */
describe('shadow and commands with two brokers', () => {
  let cp: TestCitypulse;
  let second: Citypulse;
  let secondUrl: string;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    const port = await freePort();
    second = await startCitypulse(
      { ...cp.config, instanceId: `${cp.config.instanceId}-b`, mqtt: { ...cp.config.mqtt, port } },
      ['broker'],
    );
    secondUrl = `mqtt://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await second?.close();
    await cp?.stop();
  });

  it('reaches a device connected to the other broker with its desired config and its commands', async () => {
    const device = await provisionDevice(cp);
    const sensor = deviceClient(secondUrl, device)
      .onConfig((desired) => desired)
      .handleCommand('reboot', () => 'ok');
    clients.push(sensor);
    const configs = record<ConfigMessage>(sensor, 'config');
    await sensor.start();
    const presence = await waitFor(
      async () => (await cp.api('GET', `/devices/${device.id}`)).body.presence,
      (p) => p.online === true,
      { what: 'online' },
    );
    expect(presence.brokerId).toBe(`${cp.config.instanceId}-b`);

    await cp.api('PUT', `/devices/${device.id}/shadow/desired`, { desired: { reporting_interval_s: 12 } });
    await waitFor(
      () => configs,
      (c) => c.length === 1,
      { what: 'the config through the other broker' },
    );
    const { body } = await cp.api('POST', `/devices/${device.id}/commands`, { name: 'reboot' });
    const done = await waitFor(
      async () => (await cp.api('GET', `/devices/${device.id}/commands/${body.id}`)).body,
      (c) => c.status === 'succeeded',
      { what: 'the command answered' },
    );
    expect(done).toMatchObject({ result: 'ok', deliveredAt: expect.any(String) });
    expect(sensor.stats.connects).toBe(1);
    await waitFor(
      async () => (await cp.api('GET', `/devices/${device.id}/shadow`)).body,
      (s) => s.reportedVersion === 1 && Object.keys(s.delta).length === 0,
      { what: 'the report' },
    );
  });
});
