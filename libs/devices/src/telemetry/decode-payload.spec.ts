import { decodePayload } from './decode-payload.js';

const limits = { receivedAtMs: Date.UTC(2024, 10, 28, 12), maxPayloadBytes: 1024, maxBatchReadings: 3 };
const decode = (body: unknown) =>
  decodePayload(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), limits);

describe('decodePayload', () => {
  it('reads a single reading without an index', () => {
    expect(decode({ ts: 5, values: { co2: 500 } })).toEqual({
      candidates: [{ index: undefined, ts: 5, values: { co2: 500 } }],
      rejected: [],
      rejectedReadings: 0,
    });
  });

  it('reads a batch object, indexing each reading by its position', () => {
    const { candidates } = decode({ readings: [{ values: { a: 1 } }, { ts: 2, values: { a: 2 } }] });
    expect(candidates).toEqual([
      { index: 0, ts: undefined, values: { a: 1 } },
      { index: 1, ts: 2, values: { a: 2 } },
    ]);
  });

  it('reads a top-level array of readings as a batch', () => {
    expect(decode([{ values: { a: 1 } }, { values: { a: 2 } }]).candidates.map((c) => c.index)).toEqual([0, 1]);
  });

  it('reads a top-level array of SenML records as a SenML pack', () => {
    const { candidates } = decode([{ bn: 'dev-1/', n: 'co2', v: 500 }]);
    expect(candidates).toHaveLength(1);
    expect(candidates[0].senml?.get('co2')).toEqual({ record: 0, unit: undefined });
  });

  it('refuses a payload over the size limit before parsing it', () => {
    const payload = Buffer.alloc(1025, 0x7b); // "{{{{…": would be malformed JSON if parsed
    expect(decodePayload(payload, limits)).toEqual({
      candidates: [],
      rejectedReadings: 1,
      rejected: [{ reason: 'payload_too_large', detail: 'payload is 1025 bytes; the limit is 1024 bytes' }],
    });
  });

  it('accepts a payload of exactly the size limit', () => {
    const body = JSON.stringify({ values: { a: 1 } });
    expect(decode(body.padEnd(1024, ' ')).rejected).toEqual([]);
  });

  it.each([
    ['broken JSON', '{"values": {"a": }', /^not valid JSON: /],
    ['an empty payload', '', /^payload is empty$/],
    ['a UTF-8 byte order mark', '\ufeff{"values":{"a":1}}', /^not valid JSON/],
  ])('refuses %s as malformed_json', (_label, body, detail) => {
    expect(decode(body).rejected).toEqual([{ reason: 'malformed_json', detail: expect.stringMatching(detail) }]);
  });

  it.each([
    ['a bare number', 42],
    ['a JSON string', '"hi"'],
    ['null', null],
    ['an object with neither values nor readings', { value: 1 }],
    ['an empty array', []],
    ['an array of numbers', [1, 2]],
    ['an array of objects that are neither readings nor SenML', [{ x: 1 }]],
    ['a batch whose readings is not an array', { readings: { a: 1 } }],
    ['an empty batch', { readings: [] }],
    ['a batch envelope with another key', { readings: [{ values: { a: 1 } }], ts: 1 }],
  ])('refuses %s as invalid_shape for the whole payload', (_label, body) => {
    const decoded = decode(body);
    expect(decoded.candidates).toEqual([]);
    expect(decoded.rejectedReadings).toBe(1);
    expect(decoded.rejected).toEqual([{ reason: 'invalid_shape', detail: expect.any(String) }]);
  });

  it('refuses a single reading with an unexpected key, naming it', () => {
    expect(decode({ timestamp: 1, values: { a: 1 } }).rejected).toEqual([
      {
        reason: 'invalid_shape',
        detail: 'unexpected key "timestamp" in a reading; only "ts" and "values" are allowed',
      },
    ]);
  });

  it.each([
    ['null values', { values: null }, '"values" is null; expected an object of field: value'],
    ['array values', { values: [1] }, '"values" is an array; expected an object of field: value'],
  ])('refuses a reading with %s', (_label, body, detail) => {
    expect(decode(body).rejected).toEqual([{ reason: 'invalid_shape', detail }]);
  });

  it('refuses a bad batch element by index and keeps the good ones', () => {
    const decoded = decode({ readings: [{ values: { a: 1 } }, 7, { values: { a: 3 }, extra: true }] });
    expect(decoded.candidates.map((c) => c.index)).toEqual([0]);
    expect(decoded.rejectedReadings).toBe(2);
    expect(decoded.rejected).toEqual([
      { reason: 'invalid_shape', index: 1, detail: 'reading is a number; expected {"ts"?, "values": {…}}' },
      {
        reason: 'invalid_shape',
        index: 2,
        detail: 'unexpected key "extra" in a reading; only "ts" and "values" are allowed',
      },
    ]);
  });

  it('refuses a batch longer than the limit as a whole', () => {
    const readings = Array.from({ length: 4 }, () => ({ values: { a: 1 } }));
    expect(decode({ readings })).toEqual({
      candidates: [],
      rejectedReadings: 1,
      rejected: [{ reason: 'batch_too_large', detail: 'the batch holds 4 readings; the limit is 3 per publish' }],
    });
    expect(decode(readings).rejected[0].reason).toBe('batch_too_large');
  });

  it('passes values through untouched, leaving type checks to validation', () => {
    expect(decode({ values: { a: 'x', b: null } }).candidates[0].values).toEqual({ a: 'x', b: null });
  });
});
