import type { MqttClient } from 'mqtt';
import { deviceTopic, type DeviceErrorMessage } from '@citypulse/contracts';
import { waitFor, type PublishingDevice } from '@citypulse/testing';
import { HostileRig } from './hostile-rig.js';

/**
 * Malformed JSON and SenML beyond the one-per-reason cases of rejections.int-test.ts: nesting,
 * huge arrays, prototype-pollution keys, unicode tricks, numbers in disguise, duplicate keys,
 * hostile timestamps and SenML oddities. Each gets its expected reason on the device's error topic
 * (or, where the bytes are valid after all, is stored as sent), nothing pollutes the process's
 * Object.prototype, and an error answer stays small however many problems a payload holds.
 */
let rig: HostileRig;
let device: PublishingDevice;
let client: MqttClient;
const errors: DeviceErrorMessage[] = [];
const errorBytes: number[] = [];

beforeAll(async () => {
  rig = await HostileRig.start('hostile payloads');
  device = await rig.provision();
  client = await rig.cp.connectDevice(device.id, device.secret);
  await client.subscribeAsync(deviceTopic(device.id, 'errors'), { qos: 1 });
  client.on('message', (_topic, payload) => {
    errorBytes.push(payload.length);
    errors.push(JSON.parse(payload.toString()) as DeviceErrorMessage);
  });
});
afterAll(async () => {
  await client?.endAsync(true);
  await rig?.stop();
});

const now = Date.now();
const json = (value: unknown) => JSON.stringify(value);
const manyKeys = (n: number) => json({ values: Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 1])) });

/** Expected: a rejection reason, or `stored` (valid after all): the value InfluxDB must hold at the reading's ts. */
type Expected = { reason: string } | { stored: { ts: number; field: string; value: number } };
const refused = (reason: string): Expected => ({ reason });
const stored = (ts: number, field: string, value: number): Expected => ({ stored: { ts, field, value } });

const CASES: Array<[name: string, payload: string | Buffer, expected: Expected]> = [
  // Structure
  ['arrays nested 30,000 deep', '['.repeat(30_000) + ']'.repeat(30_000), refused('invalid_shape')],
  ['objects nested 3,000 deep', '{"values":'.repeat(3000) + '{}' + '}'.repeat(3000), refused('unknown_field')],
  ['a top-level array of 20,000 numbers', `[${Array(20_000).fill('0').join(',')}]`, refused('invalid_shape')],
  ['a batch of 5,000 nulls', json({ readings: Array(5000).fill(null) }), refused('batch_too_large')],
  ['6,000 unknown fields in one reading (60 KB)', manyKeys(6000), refused('unknown_field')],
  [
    'readings nested in a reading',
    json({ readings: [{ readings: [{ values: { co2: 500 } }] }] }),
    refused('invalid_shape'),
  ],
  ['"readings" as an object', '{"readings": {"values": {"co2": 500}}}', refused('invalid_shape')],
  ['an empty batch', '{"readings": []}', refused('invalid_shape')],
  ['"values" null', '{"values": null}', refused('invalid_shape')],
  ['"values" an array', '{"values": [500]}', refused('invalid_shape')],
  ['"values" a string', '{"values": "co2=500"}', refused('invalid_shape')],
  ['a device id next to the values', json({ values: { co2: 500 }, device: 'someone-else' }), refused('invalid_shape')],
  ['JSON null', 'null', refused('invalid_shape')],
  ['JSON true', 'true', refused('invalid_shape')],
  ['a JSON string', '"co2=500"', refused('invalid_shape')],
  ['a JSON number', '500', refused('invalid_shape')],
  ['an empty array', '[]', refused('invalid_shape')],
  ['an empty object', '{}', refused('invalid_shape')],
  // Prototype pollution
  ['"__proto__" in values', '{"values": {"__proto__": {"temperature": 99}, "co2": 500}}', refused('unknown_field')],
  [
    '"__proto__" at the top',
    '{"__proto__": {"values": {"co2": 500}}, "values": {"co2": 500}}',
    refused('invalid_shape'),
  ],
  [
    '"constructor.prototype" in values',
    '{"values": {"constructor": {"prototype": {"polluted": 1}}, "co2": 500}}',
    refused('unknown_field'),
  ],
  ['"toString" as a field', '{"values": {"toString": 1}}', refused('unknown_field')],
  ['"hasOwnProperty" as a field', '{"values": {"hasOwnProperty": 1}}', refused('unknown_field')],
  ['"valueOf" in a batch', '{"readings": [{"values": {"valueOf": 1}}]}', refused('unknown_field')],
  ['a SenML record named "__proto__"', json([{ n: '__proto__', v: 1 }]), refused('unknown_field')],
  ['a SenML record named "constructor"', json([{ n: 'constructor', v: 1 }]), refused('unknown_field')],
  // Unicode and encodings
  ['a Cyrillic look-alike field name', '{"values": {"tempеrature": 20}}', refused('unknown_field')],
  ['a field name with NUL', '{"values": {"temperature\\u0000": 20}}', refused('unknown_field')],
  ['a right-to-left override in a field name', '{"values": {"\\u202etemperature": 20}}', refused('unknown_field')],
  ['an emoji field name', '{"values": {"🌡": 20}}', refused('unknown_field')],
  ['a lone surrogate as a value', '{"values": {"temperature": "\\ud800"}}', refused('wrong_type')],
  [
    'invalid UTF-8 bytes',
    Buffer.from([0x7b, 0x22, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x73, 0x22, 0x3a, 0xff, 0xfe, 0x7d]),
    refused('malformed_json'),
  ],
  ['UTF-16 JSON', Buffer.from('{"values": {"co2": 500}}', 'utf16le'), refused('malformed_json')],
  [
    'a byte-order mark',
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"values": {"co2": 500}}')]),
    refused('malformed_json'),
  ],
  // Numbers in disguise
  ['an exponent as a string', '{"values": {"co2": "5e2"}}', refused('wrong_type')],
  ['a padded number string', '{"values": {"co2": " 500 "}}', refused('wrong_type')],
  ['a hex literal', '{"values": {"co2": 0x1f4}}', refused('malformed_json')],
  ['NaN', '{"values": {"co2": NaN}}', refused('malformed_json')],
  ['Infinity', '{"values": {"co2": Infinity}}', refused('malformed_json')],
  ['a 400-digit integer', `{"values": {"co2": ${'9'.repeat(400)}}}`, refused('not_finite')],
  ['a fraction for an integer field', '{"values": {"occupancy": 1.5}}', refused('wrong_type')],
  ['a boolean for a number', '{"values": {"co2": true}}', refused('wrong_type')],
  ['null for a number', '{"values": {"co2": null}}', refused('wrong_type')],
  ['an array for a number', '{"values": {"co2": [500]}}', refused('wrong_type')],
  ['an object for a number', '{"values": {"co2": {"v": 500}}}', refused('wrong_type')],
  ['-0', `{"ts": ${now - 10}, "values": {"temperature": -0}}`, stored(now - 10, 'temperature', 0)],
  [
    'the smallest denormal',
    `{"ts": ${now - 11}, "values": {"temperature": 5e-324}}`,
    stored(now - 11, 'temperature', 5e-324),
  ],
  // Duplicate keys: JSON.parse keeps the last, and so does validation.
  [
    'a duplicate key whose last value is out of range',
    '{"values": {"co2": 500, "co2": 90000}}',
    refused('out_of_range'),
  ],
  [
    'a duplicate key whose last value is fine',
    `{"ts": ${now - 12}, "values": {"co2": 90000, "co2": 512}}`,
    stored(now - 12, 'co2', 512),
  ],
  // Not JSON
  ['trailing garbage', '{"values": {"co2": 500}} xyz', refused('malformed_json')],
  ['two documents back to back', '{"values": {"co2": 500}}{"values": {"co2": 501}}', refused('malformed_json')],
  ['a trailing comma', '{"values": {"co2": 500,}}', refused('malformed_json')],
  ['single quotes', "{'values': {'co2': 500}}", refused('malformed_json')],
  ['a comment', '{"values": {"co2": 500 /* c */}}', refused('malformed_json')],
  ['only whitespace', '  \n\t ', refused('malformed_json')],
  // Timestamps
  ['ts as an array', json({ ts: [now], values: { co2: 500 } }), refused('timestamp_invalid')],
  ['ts as an object', json({ ts: { $date: now }, values: { co2: 500 } }), refused('timestamp_invalid')],
  ['ts as a boolean', json({ ts: true, values: { co2: 500 } }), refused('timestamp_invalid')],
  ['ts 1e300', json({ ts: 1e300, values: { co2: 500 } }), refused('timestamp_invalid')],
  ['ts negative', json({ ts: -1, values: { co2: 500 } }), refused('timestamp_too_old')],
  ['ts in seconds, not ms', json({ ts: Math.floor(now / 1000), values: { co2: 500 } }), refused('timestamp_too_old')],
  ['an impossible ISO date', json({ ts: '2026-13-45T99:99:99Z', values: { co2: 500 } }), refused('timestamp_invalid')],
  // SenML
  ['a string value (vs) for a number', json([{ n: 'co2', vs: '500' }]), refused('wrong_type')],
  ['a boolean value (vb) for a number', json([{ n: 'co2', vb: true }]), refused('wrong_type')],
  ['a data value (vd)', json([{ n: 'co2', vd: 'AAEC' }]), refused('invalid_senml')],
  ['a record without a name', json([{ v: 500 }]), refused('invalid_senml')],
  ['a must-understand field', json([{ n: 'co2', v: 500, x_: 1 }]), refused('invalid_senml')],
  ['a base sum', json([{ bs: 1, n: 'co2', v: 500 }]), refused('invalid_senml')],
  [
    '1,001 distinct times',
    json(Array.from({ length: 1001 }, (_, i) => ({ n: 'co2', v: 500, t: -i }))),
    refused('batch_too_large'),
  ],
  ['t as the string "NaN"', json([{ n: 'co2', v: 500, t: 'NaN' }]), refused('timestamp_invalid')],
  ['bt 1e300', json([{ bt: 1e300, n: 'co2', v: 500 }]), refused('timestamp_invalid')],
  ['a pack inside a pack', json([[{ n: 'co2', v: 500 }]]), refused('invalid_shape')],
  ['bv + v overflowing to Infinity', '[{"bv": 1e308, "n": "co2", "v": 1e308}]', refused('not_finite')],
  ['a unit that is not the field’s', json([{ n: 'co2', u: 'Cel', v: 500 }]), refused('invalid_senml')],
];

describe('malformed JSON and SenML payloads', () => {
  const category = 'malformed JSON and SenML';
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  it.each(CASES)('%s', async (name, payload, expected) => {
    const before = errors.length;
    await client.publishAsync(deviceTopic(device.id, 'telemetry'), payload, { qos: 1 });
    if ('reason' in expected) {
      const [message] = await waitFor(
        () => errors.slice(before),
        (e) => e.length > 0,
        { timeoutMs: 5000, what: `the ${expected.reason} answer` },
      ).catch(() => [undefined]);
      const reasons = message?.rejected.map((r) => r.reason) ?? [];
      const ok = message?.accepted === 0 && reasons.length > 0 && reasons.every((r) => r === expected.reason);
      rig.tally.record(
        category,
        ok,
        `${name}: expected ${expected.reason}, got ${JSON.stringify(message ?? 'no answer').slice(0, 300)}`,
      );
      expect({ accepted: message?.accepted, reasons: [...new Set(reasons)] }).toEqual({
        accepted: 0,
        reasons: [expected.reason],
      });
    } else {
      const { ts, field, value } = expected.stored;
      const rows = await waitFor(
        () =>
          rig.cp.influx.query(`SELECT "${field}" FROM building WHERE device_id = '${device.id}' AND time = ${ts}ms`),
        (r) => r.length > 0,
        { timeoutMs: 5000, what: `${field} stored` },
      ).catch(() => []);
      const values = rows.map((r) => r[field]);
      const ok = values.length === 1 && values[0] === value && errors.length === before;
      rig.tally.record(
        category,
        ok,
        `${name}: expected ${field} = ${value} stored and no error answer; stored ${JSON.stringify(values)}, ` +
          `errors ${errors.length - before}`,
      );
      expect({ stored: values, errorAnswers: errors.length - before }).toEqual({ stored: [value], errorAnswers: 0 });
    }
  });

  it('stores a SenML pack whose base name names another device under the sender only: identity comes from the login, never the payload', async () => {
    const other = await rig.provision();
    const before = errors.length;
    await client.publishAsync(
      deviceTopic(device.id, 'telemetry'),
      json([{ bn: `urn:dev:${other.id}:`, bt: (now - 13) / 1000, n: 'co2', v: 777 }]),
      { qos: 1 },
    );
    const rows = await waitFor(
      () => rig.cp.influx.query('SELECT co2, device_id FROM building WHERE co2 = 777'),
      (r) => r.length > 0,
      { timeoutMs: 5000, what: 'the SenML reading stored' },
    );
    const ok = rows.length === 1 && rows[0].device_id === device.id && errors.length === before;
    rig.tally.record(category, ok, `SenML bn of another device: stored as ${JSON.stringify(rows)}`);
    expect(rows.map((r) => r.device_id)).toEqual([device.id]);
  });

  it('left Object.prototype untouched after every "__proto__" and "constructor" payload', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).temperature).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a payload with thousands of problems with a bounded error message and dead letter, never one larger than what was sent', async () => {
    // Listing each of 6,000 bad fields with its detail would answer 60 KB with ~900 KB.
    expect(Math.max(...errors.map((e) => e.rejected.length))).toBeLessThanOrEqual(100);
    expect(Math.max(...errorBytes)).toBeLessThan(32 * 1024);
    const { body } = await rig.cp.api('GET', `/rejections?deviceId=${device.id}&limit=1000`);
    expect(body.items.length).toBeGreaterThanOrEqual(CASES.filter(([, , e]) => 'reason' in e).length);
    expect(Math.max(...body.items.map((d: unknown) => JSON.stringify(d).length))).toBeLessThan(32 * 1024);
    expect(await rig.checkSurvived(category)).toBe(true);
  });
});

describe('well-behaved devices publishing throughout', () => {
  it('lost none of their PUBACKed readings', async () => {
    expect(await rig.bystandersStillAcked()).toBeGreaterThan(20);
    expect(await rig.bystandersLost()).toEqual([]);
  });
});
