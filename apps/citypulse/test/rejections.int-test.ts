import { deviceTopic, REJECTION_REASONS } from '@citypulse/contracts';
import { uniqueName, waitFor } from '@citypulse/testing';
import type { MqttClient } from 'mqtt';
import { TestCitypulse } from './harness.js';

/**
 * Every rejection reason a device can receive, through the real broker: the device gets the
 * reason on its error topic, the reading is not stored, and good readings keep flowing.
 */
describe('rejected telemetry', () => {
  let cp: TestCitypulse;
  let device: MqttClient;
  let id: string;
  const errors: any[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    id = uniqueName('env-');
    const secret = await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-office-7' });
    device = await cp.connectDevice(id, secret);
    await device.subscribeAsync(deviceTopic(id, 'errors'), { qos: 1 });
    device.on('message', (_topic, payload) => errors.push(JSON.parse(payload.toString())));
  });
  afterAll(async () => {
    await device?.endAsync();
    await cp?.stop();
  });

  const now = () => Date.now();
  const cases: Array<[reason: string, payload: () => string]> = [
    ['payload_too_large', () => JSON.stringify({ values: { temperature: 20 }, pad: 'x'.repeat(70_000) })],
    ['malformed_json', () => '{"values": {"temperature": 20'],
    ['invalid_shape', () => JSON.stringify({ value: { temperature: 20 } })],
    [
      'batch_too_large',
      () => JSON.stringify({ readings: Array.from({ length: 1001 }, () => ({ values: { co2: 500 } })) }),
    ],
    ['empty_values', () => JSON.stringify({ values: {} })],
    ['unknown_field', () => JSON.stringify({ values: { temprature: 20 } })],
    ['wrong_type', () => JSON.stringify({ values: { temperature: '20' } })],
    ['not_finite', () => '{"values": {"temperature": 1e999}}'],
    ['out_of_range', () => JSON.stringify({ values: { co2: 90_000 } })],
    ['timestamp_invalid', () => JSON.stringify({ ts: '28/11/2026', values: { temperature: 20 } })],
    ['timestamp_in_future', () => JSON.stringify({ ts: now() + 3_600_000, values: { temperature: 20 } })],
    ['timestamp_too_old', () => JSON.stringify({ ts: now() - 30 * 24 * 3_600_000, values: { temperature: 20 } })],
    ['invalid_senml', () => JSON.stringify([{ bn: `${id}/`, n: 'temperature', u: 'K', v: 293 }])],
  ];

  it.each(cases)('answers %s on the device’s error topic and stores nothing', async (reason, payload) => {
    const before = errors.length;
    await device.publishAsync(deviceTopic(id, 'telemetry'), payload(), { qos: 1 });
    const [message] = await waitFor(
      () => errors.slice(before),
      (e) => e.length > 0,
      { what: `a ${reason} error message` },
    );
    expect(message.accepted).toBe(0);
    expect(message.rejected.map((r: any) => r.reason)).toContain(reason);
    expect(message.rejected.every((r: any) => typeof r.detail === 'string' && r.detail.length > 0)).toBe(true);
  });

  it('covers every rejection reason a telemetry payload can get', () => {
    // handoff_unavailable, unknown_device_type and city_rate_limited are server-side conditions, not
    // payload faults (city_rate_limited has its own test: city-rate.int-test.ts); unknown_command and
    // command_closed answer command acks, not telemetry (commands.int-test.ts).
    const serverSide = new Set([
      'handoff_unavailable',
      'unknown_device_type',
      'city_rate_limited',
      'unknown_command',
      'command_closed',
    ]);
    const payloadReasons = REJECTION_REASONS.filter((r) => !serverSide.has(r));
    expect(cases.map(([reason]) => reason).sort()).toEqual([...payloadReasons].sort());
  });

  it('stores SenML readings, one point per distinct time', async () => {
    const t = now() / 1000;
    const pack = [
      { bn: `urn:dev:${id}:`, bt: t - 2, n: 'temperature', u: 'Cel', v: 21.5 },
      { n: 'humidity', u: '%RH', v: 44 },
      { n: 'temperature', u: 'Cel', v: 21.7, t: 1 },
    ];
    await device.publishAsync(deviceTopic(id, 'telemetry'), JSON.stringify(pack), { qos: 1 });
    const rows = await waitFor(
      () => cp.influx.query(`SELECT temperature, humidity FROM building WHERE device_id = '${id}'`),
      (r) => r.length === 2,
      { what: 'two SenML readings stored' },
    );
    expect(rows.map((r) => [r.temperature, r.humidity ?? null])).toEqual([
      [21.5, 44],
      [21.7, null],
    ]);
  });

  it('counts rejections per reason and per device and lists them in the dead-letter store', async () => {
    const { body } = await cp.api('GET', `/rejections?deviceId=${id}&limit=100`);
    expect(body.counts.byDevice[id]).toBeGreaterThanOrEqual(cases.length);
    expect(body.counts.byReason.out_of_range).toBeGreaterThanOrEqual(1);
    expect(body.items.length).toBeGreaterThanOrEqual(cases.length);
    expect(body.items[0]).toEqual(
      expect.objectContaining({ deviceId: id, payloadExcerpt: expect.any(String), payloadBytes: expect.any(Number) }),
    );
  });
});
