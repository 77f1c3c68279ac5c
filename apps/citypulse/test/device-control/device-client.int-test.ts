import type { AppConfig } from '@citypulse/config';
import type { DeviceErrorMessage } from '@citypulse/contracts';
import type { DeviceClient } from '@citypulse/device-client';
import { freePort, waitFor } from '@citypulse/testing';
import { startCitypulse, type Citypulse } from '../../src/run-apps.js';
import { TestCitypulse } from '../harness.js';
import { deviceClient, provisionDevice, record } from './fleet-helpers.js';

/**
 * The device-side client against a broker that goes away and comes back: the rest of citypulse
 * runs as usual, the broker alone runs in its own Nest app on a fixed port so it can be stopped
 * and started again while the device keeps publishing.
 */
describe('device-side client across broker outages', () => {
  let cp: TestCitypulse;
  let brokerConfig: AppConfig;
  let broker: Citypulse | undefined;
  let url: string;
  const clients: DeviceClient[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['ingest', 'alerts', 'api']);
    const port = await freePort();
    brokerConfig = { ...cp.config, mqtt: { ...cp.config.mqtt, port } };
    url = `mqtt://127.0.0.1:${port}`;
    broker = await startCitypulse(brokerConfig, ['broker']);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await broker?.close();
    await cp?.stop();
  });

  function client(...args: Parameters<typeof deviceClient>) {
    const c = deviceClient(...args);
    clients.push(c);
    return c;
  }
  const stored = (id: string) => cp.influx.query(`SELECT co2 FROM building WHERE device_id = '${id}'`);
  async function restartBroker(whileDown: () => void | Promise<void>) {
    await broker!.close();
    broker = undefined;
    await whileDown();
    broker = await startCitypulse(brokerConfig, ['broker']);
  }

  it('sends readings published while the broker was unreachable after it reconnects, each stored once at its own time', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(url, device);
    const reconnects: number[] = [];
    sensor.on('reconnecting', ({ delayMs }) => reconnects.push(delayMs));
    await sensor.start();
    const t0 = Date.now() - 60_000;
    for (let i = 0; i < 3; i++) sensor.publish({ ts: t0 + i * 1000, values: { co2: 400 + i } });
    await waitFor(
      () => sensor.stats.acked,
      (n) => n === 3,
      { what: 'three acknowledged readings' },
    );

    await restartBroker(async () => {
      await waitFor(
        () => sensor.isConnected,
        (c) => !c,
        { what: 'the client noticing' },
      );
      for (let i = 3; i < 8; i++) sensor.publish({ ts: t0 + i * 1000, values: { co2: 400 + i } });
      expect(sensor.stats.queued).toBe(5);
      // Keep the broker away long enough for a few backed-off attempts to fail.
      await waitFor(
        () => reconnects.length,
        (n) => n >= 3,
        { what: 'failed reconnect attempts' },
      );
    });

    await waitFor(
      () => sensor.stats,
      (s) => s.acked === 8 && s.queued === 0,
      { what: 'the buffered readings acknowledged' },
    );
    const rows = await waitFor(
      () => stored(device.id),
      (r) => r.length === 8,
      { what: 'eight points in InfluxDB' },
    );
    expect(rows.map((r) => r.co2)).toEqual([400, 401, 402, 403, 404, 405, 406, 407]);
    expect(rows.map((r) => Date.parse(r.time as string))).toEqual(Array.from({ length: 8 }, (_, i) => t0 + i * 1000));
    expect(sensor.stats).toMatchObject({ dropped: 0, connects: 2 });
    // Jittered exponential backoff: each delay within [ceiling/2, ceiling], the ceiling doubling to 400 ms.
    expect(reconnects[0]).toBeGreaterThanOrEqual(50);
    expect(reconnects[0]).toBeLessThanOrEqual(100);
    expect(reconnects.every((d) => d >= 50 && d <= 400)).toBe(true);
  });

  it('keeps only the newest readings when more were published offline than its buffer holds, and counts the dropped ones', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(url, device, { bufferCapacity: 4 });
    const dropped: number[] = [];
    sensor.on('dropped', (n) => dropped.push(n));
    await sensor.start();
    const t0 = Date.now() - 60_000;
    await restartBroker(async () => {
      await waitFor(
        () => sensor.isConnected,
        (c) => !c,
        { what: 'the client noticing' },
      );
      for (let i = 0; i < 7; i++) sensor.publish({ ts: t0 + i * 1000, values: { co2: 500 + i } });
    });
    await waitFor(
      () => sensor.stats.acked,
      (n) => n === 4,
      { what: 'the kept readings acknowledged' },
    );
    const rows = await waitFor(
      () => stored(device.id),
      (r) => r.length === 4,
      { what: 'four points in InfluxDB' },
    );
    expect(rows.map((r) => r.co2)).toEqual([503, 504, 505, 506]);
    expect(sensor.stats.dropped).toBe(3);
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('surfaces rejected readings from its error topic', async () => {
    const device = await provisionDevice(cp);
    const sensor = client(url, device);
    const rejections = record<DeviceErrorMessage>(sensor, 'rejection');
    await sensor.start();
    sensor.publish({ values: { co2: 99_999 } });
    sensor.publish({ values: { co2: 'high' } });
    await waitFor(
      () => rejections,
      (r) => r.length === 2,
      { what: 'two rejections' },
    );
    expect(rejections.map((r) => r.rejected[0].reason).sort()).toEqual(['out_of_range', 'wrong_type']);
    expect(sensor.stats).toMatchObject({ acked: 2, rejected: 2 });
  });

  it('keeps retrying with backoff after a refused CONNACK, reporting each refusal', async () => {
    const device = await provisionDevice(cp);
    const impostor = client(url, { id: device.id, secret: 'not-the-secret' });
    const errors: Error[] = [];
    impostor.on('connect-error', (err) => errors.push(err));
    void impostor.start();
    await waitFor(
      () => errors.length,
      (n) => n >= 2,
      { what: 'two refused attempts' },
    );
    expect(errors[0].message).toMatch(/Bad username or password/i);
    expect(impostor.isConnected).toBe(false);
  });
});
