import { getDeviceType } from '../catalogue/registry.js';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { decodeTelemetry } from './decode-telemetry.js';
import { decodePayload } from './decode-payload.js';
import { MAX_REJECTIONS_PER_PAYLOAD, validateReadings } from './validate-readings.js';

const NOW = Date.UTC(2024, 10, 28, 12);
const limits = {
  receivedAtMs: NOW,
  maxPayloadBytes: 65_536,
  maxBatchReadings: 100,
  maxFutureSkewMs: 300_000,
  maxPastAgeMs: 7 * 86_400_000,
};
const type = (name: string): DeviceTypeDefinition => {
  const found = getDeviceType(name);
  if (!found) throw new Error(`no ${name} in the catalogue`);
  return found;
};
const env = type('env-sensor');
const decode = (body: unknown, t = env) =>
  decodeTelemetry(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), t, limits);

describe('decodeTelemetry', () => {
  it('accepts a single env-sensor reading with its own timestamp', () => {
    expect(decode({ ts: NOW - 1000, values: { temperature: 21.5, humidity: 40, co2: 640, occupancy: 12 } })).toEqual({
      accepted: [{ tsMs: NOW - 1000, values: { temperature: 21.5, humidity: 40, co2: 640, occupancy: 12 } }],
      rejected: [],
      rejectedReadings: 0,
      rejectionsOmitted: 0,
    });
  });

  it('accepts a reading without a timestamp, leaving the time to the broker', () => {
    expect(decode({ values: { co2: 640 } }).accepted).toEqual([{ tsMs: undefined, values: { co2: 640 } }]);
  });

  it('accepts an ISO-8601 timestamp', () => {
    expect(decode({ ts: '2024-11-28T11:59:00Z', values: { co2: 640 } }).accepted[0].tsMs).toBe(NOW - 60_000);
  });

  it('rejects a single reading whole when one field is bad, naming field and limit', () => {
    expect(decode({ values: { temperature: 21, co2: 9000 } })).toEqual({
      accepted: [],
      rejected: [{ reason: 'out_of_range', field: 'co2', detail: 'co2 = 9000 is above the maximum 5000 ppm' }],
      rejectedReadings: 1,
      rejectionsOmitted: 0,
    });
  });

  it('reports a bad timestamp and bad fields of the same reading together', () => {
    const { rejected } = decode({ ts: 'soon', values: { co2: 'high' } });
    expect(rejected.map((r) => [r.reason, r.field])).toEqual([
      ['timestamp_invalid', 'ts'],
      ['wrong_type', 'co2'],
    ]);
  });

  it('turns 1e999 into a not_finite rejection', () => {
    expect(decode('{"values": {"co2": 1e999}}').rejected).toEqual([
      { reason: 'not_finite', field: 'co2', detail: 'co2 = Infinity is not a finite number' },
    ]);
  });

  it('accepts the good readings of a batch and rejects the bad ones by index', () => {
    const result = decode({
      readings: [
        { ts: NOW - 120_000, values: { co2: 600 } },
        { ts: NOW - 60_000, values: { co2: 600, occupancy: -1 } },
        { ts: NOW + 3_600_000, values: { co2: 610 } },
        { values: {} },
        { ts: NOW, values: { co2: 620, humdity: 30 } },
        { ts: NOW, values: { co2: 630 } },
      ],
    });
    expect(result.accepted.map((r) => r.values.co2)).toEqual([600, 630]);
    expect(result.rejected.map((r) => [r.index, r.reason, r.field])).toEqual([
      [1, 'out_of_range', 'occupancy'],
      [2, 'timestamp_in_future', 'ts'],
      [3, 'empty_values', undefined],
      [4, 'unknown_field', 'humdity'],
    ]);
    expect(result.rejectedReadings).toBe(4);
  });

  it('counts a reading with several problems once', () => {
    expect(decode({ readings: [{ values: { co2: -1, humidity: 101, temperature: 'x' } }] }).rejectedReadings).toBe(1);
  });

  it('checks enum and flag fields of an hvac unit', () => {
    const result = decode(
      { readings: [{ values: { mode: 'heat', fault: false, power: 12.5 } }, { values: { mode: 'auto', fault: 0 } }] },
      type('hvac-unit'),
    );
    expect(result.accepted).toHaveLength(1);
    expect(result.rejected).toEqual([
      { reason: 'wrong_type', index: 1, field: 'mode', detail: 'mode = "auto" is not one of heat, cool, fan, off' },
      { reason: 'wrong_type', index: 1, field: 'fault', detail: 'fault = 0 is a number; expected true or false' },
    ]);
  });

  it('accepts a SenML pack from an electricity meter and returns plain value objects', () => {
    const t = NOW / 1000 - 30;
    const result = decode(
      [
        { bn: 'urn:dev:mac:0024befffe804ff1:', bt: t, n: 'voltage', u: 'V', v: 231.2 },
        { n: 'frequency', u: 'Hz', v: 50.01 },
        { n: 'energy', u: 'kWh', v: 123456.7 },
        { n: 'voltage', u: 'V', v: 230.9, t: 10 },
      ],
      type('electricity-meter'),
    );
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toEqual([
      { tsMs: t * 1000, values: { voltage: 231.2, frequency: 50.01, energy: 123456.7 } },
      { tsMs: (t + 10) * 1000, values: { voltage: 230.9 } },
    ]);
    expect(Object.getPrototypeOf(result.accepted[0].values)).toBe(Object.prototype);
  });

  it('rejects a SenML reading whose unit differs from the catalogue, by record index', () => {
    const result = decode([
      { bn: 'env-01/', n: 'temperature', u: 'Far', v: 70 },
      { n: 'co2', v: 600 },
    ]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected).toEqual([
      {
        reason: 'invalid_senml',
        index: 0,
        field: 'temperature',
        detail: 'temperature was sent in unit "Far"; env-sensor temperature expects "°C" or "Cel"',
      },
    ]);
  });

  it('rejects out-of-range SenML values at the record that carried them', () => {
    expect(
      decode([
        { n: 'humidity', v: 40 },
        { n: 'co2', v: 9000 },
      ]).rejected,
    ).toEqual([{ reason: 'out_of_range', index: 1, field: 'co2', detail: 'co2 = 9000 is above the maximum 5000 ppm' }]);
  });

  it('rejects SenML readings outside the time window at their first record', () => {
    expect(decode([{ n: 'humidity', v: 40, bt: NOW / 1000 - 30 * 86_400 }]).rejected).toEqual([
      {
        reason: 'timestamp_too_old',
        index: 0,
        field: 't',
        detail: 't resolves to 2024-10-29T12:00:00.000Z, which is more than 7 d before the broker clock',
      },
    ]);
  });

  it('rejects an unknown SenML field name, even one named after an Object.prototype member', () => {
    expect(decode('[{"n":"__proto__","v":1}]').rejected.map((r) => r.reason)).toEqual(['unknown_field']);
  });

  it('reports at most MAX_REJECTIONS_PER_PAYLOAD rejections but counts every rejected reading', () => {
    const readings = Array.from({ length: 60 }, () => ({ values: { co2: -1, humidity: -1 } }));
    const result = decode({ readings });
    expect(result.rejected).toHaveLength(MAX_REJECTIONS_PER_PAYLOAD);
    expect(result.rejectionsOmitted).toBe(120 - MAX_REJECTIONS_PER_PAYLOAD);
    expect(result.rejectedReadings).toBe(60);
  });

  it('is the composition of decodePayload and validateReadings, which leaves its input untouched', () => {
    const payload = Buffer.from(JSON.stringify({ readings: [{ values: { co2: 1 } }, { values: { co2: -1 } }, 5] }));
    const decoded = decodePayload(payload, limits);
    const rejectedBefore = [...decoded.rejected];
    expect(validateReadings(decoded, env, limits)).toEqual(decodeTelemetry(payload, env, limits));
    expect(decoded.rejected).toEqual(rejectedBefore);
  });

  it('never throws, whatever bytes arrive', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"values"',
      '"readings"',
      '"ts"',
      ':',
      ',',
      '1e999',
      '-1',
      '"co2"',
      '"n"',
      '"v"',
      '"bn"',
      'null',
      'true',
      '"x"',
      '0.5',
      '"2024-11-28T12:00:00Z"',
    ];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from(
        { length: Math.floor(random() * 20) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join('');
      const result = decodeTelemetry(Buffer.from(text), env, limits);
      expect(result.accepted.length + result.rejectedReadings).toBeGreaterThan(0);
    }
  });
});
