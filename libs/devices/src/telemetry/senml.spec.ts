import { decodeSenml } from './senml.js';

const NOW = Date.UTC(2024, 10, 28, 12);
const limits = { receivedAtMs: NOW, maxBatchReadings: 10 };
const T0 = NOW / 1000 - 60; // an absolute SenML time, in seconds

describe('decodeSenml', () => {
  it('resolves names against the base name and merges records of one time into one reading', () => {
    const { candidates, rejected } = decodeSenml(
      [
        { bn: 'urn:dev:mac:0024befffe804ff1:', bt: T0, n: 'temperature', u: 'Cel', v: 21.5 },
        { n: 'co2', u: 'ppm', v: 640 },
        { n: 'humidity', v: 40 },
      ],
      limits,
    );
    expect(rejected).toEqual([]);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({
      index: 0,
      ts: T0 * 1000,
      values: { temperature: 21.5, co2: 640, humidity: 40 },
    });
    expect([...(candidates[0].senml ?? [])]).toEqual([
      ['temperature', { record: 0, unit: 'Cel' }],
      ['co2', { record: 1, unit: 'ppm' }],
      ['humidity', { record: 2, unit: undefined }],
    ]);
  });

  it('makes one reading per distinct time, indexed by its first record', () => {
    const { candidates } = decodeSenml(
      [
        { bn: 'env-01/', bt: T0, n: 'co2', v: 600, t: 0 },
        { n: 'co2', v: 610, t: 30 },
        { n: 'temperature', v: 21, t: 0 },
      ],
      limits,
    );
    expect(candidates.map((c) => [c.index, c.ts, c.values])).toEqual([
      [0, T0 * 1000, { co2: 600, temperature: 21 }],
      [1, (T0 + 30) * 1000, { co2: 610 }],
    ]);
  });

  it('takes the field name after the last / or : of the resolved name', () => {
    const { candidates } = decodeSenml(
      [
        { n: 'site/room-1/co2', v: 500 },
        { n: 'urn:x:temperature', v: 20 },
        { n: 'humidity', v: 30 },
      ],
      limits,
    );
    expect(Object.keys(candidates[0].values)).toEqual(['co2', 'temperature', 'humidity']);
  });

  it('reads records without any time as "now", leaving the timestamp to the broker', () => {
    expect(decodeSenml([{ n: 'co2', v: 500 }], limits).candidates[0].ts).toBeUndefined();
  });

  it('reads times below 2^28 s as relative to now (RFC 8428 §4.5.3)', () => {
    const { candidates } = decodeSenml(
      [
        { n: 'co2', v: 500, t: -60 },
        { n: 'co2', v: 510, bt: -30, t: 0 },
      ],
      limits,
    );
    expect(candidates.map((c) => c.ts)).toEqual([NOW - 60_000, NOW - 30_000]);
  });

  it('keeps fractional seconds as fractional milliseconds', () => {
    expect(decodeSenml([{ n: 'co2', v: 1, bt: 1732795200.25 }], limits).candidates[0].ts).toBe(1732795200250);
  });

  it('adds the base value to numeric values and carries string and boolean values as they are', () => {
    const { candidates } = decodeSenml(
      [
        { bv: 1000, n: 'energy', v: 5 },
        { n: 'mode', vs: 'heat' },
        { n: 'fault', vb: false },
      ],
      limits,
    );
    expect(candidates[0].values).toEqual({ energy: 1005, mode: 'heat', fault: false });
  });

  it('applies the base unit to records without their own', () => {
    const { candidates } = decodeSenml(
      [
        { bu: 'Cel', n: 'temperature', v: 20 },
        { n: 'co2', u: 'ppm', v: 500 },
      ],
      limits,
    );
    expect(candidates[0].senml?.get('temperature')?.unit).toBe('Cel');
    expect(candidates[0].senml?.get('co2')?.unit).toBe('ppm');
  });

  it('skips records that only set base fields', () => {
    const { candidates, rejected } = decodeSenml(
      [
        { bn: 'dev/', bt: T0 },
        { n: 'co2', v: 500 },
      ],
      limits,
    );
    expect(rejected).toEqual([]);
    expect(candidates[0]).toMatchObject({ index: 1, ts: T0 * 1000 });
  });

  it('refuses a pack of base fields only, so the device learns nothing was stored', () => {
    expect(decodeSenml([{ bn: 'dev/', bt: T0 }], limits)).toEqual({
      candidates: [],
      rejectedReadings: 1,
      rejected: [{ reason: 'invalid_senml', detail: 'the pack has no record with a value' }],
    });
  });

  it('stores a "__proto__" name as a key, so validation can refuse it as unknown', () => {
    const pack = JSON.parse('[{"n":"__proto__","v":1}]') as unknown[];
    expect(Object.keys(decodeSenml(pack, limits).candidates[0].values)).toEqual(['__proto__']);
  });

  it.each([
    ['no value', { n: 'co2' }, 'record has no value (v, vs or vb)'],
    ['two values', { n: 'co2', v: 1, vs: 'a' }, 'record has more than one value'],
    ['a data value', { n: 'blob', vd: 'aGk=' }, 'data values (vd) and sums (s) are not supported'],
    ['a sum', { n: 'energy', s: 5 }, 'data values (vd) and sums (s) are not supported'],
    ['a string in v', { n: 'co2', v: '500' }, 'v must be a number, not a string; strings go in vs, booleans in vb'],
    ['a number in vb', { n: 'fault', vb: 1 }, 'vb must be a boolean, not a number'],
    ['a number in vs', { n: 'mode', vs: 1 }, 'vs must be a string, not a number'],
    ['a non-string unit', { n: 'co2', v: 1, u: 5 }, 'u must be a string'],
  ])('refuses a record with %s and the rest of its reading', (_label, record, detail) => {
    const { candidates, rejected, rejectedReadings } = decodeSenml([{ n: 'humidity', v: 40 }, record], limits);
    expect(candidates).toEqual([]);
    expect(rejectedReadings).toBe(1);
    expect(rejected).toEqual([expect.objectContaining({ reason: 'invalid_senml', index: 1, detail })]);
  });

  it('refuses a record without a name', () => {
    expect(decodeSenml([{ bn: 'dev/', v: 1 }], limits).rejected).toEqual([
      {
        reason: 'invalid_senml',
        index: 0,
        detail: 'record has no name: the resolved name (bn + n) is empty or ends in / or :',
      },
    ]);
  });

  it('refuses a field that appears twice at the same time', () => {
    expect(
      decodeSenml(
        [
          { n: 'co2', v: 1 },
          { n: 'co2', v: 2 },
        ],
        limits,
      ).rejected,
    ).toEqual([
      { reason: 'invalid_senml', index: 1, field: 'co2', detail: 'co2 appears twice at the same time (also record 0)' },
    ]);
  });

  it('keeps readings at other times when one reading has a bad record', () => {
    const { candidates, rejectedReadings } = decodeSenml(
      [
        { n: 'co2', v: 1, t: -10 },
        { n: 'co2', v: '2', t: -20 },
      ],
      limits,
    );
    expect(candidates.map((c) => c.values)).toEqual([{ co2: 1 }]);
    expect(rejectedReadings).toBe(1);
  });

  it('refuses a record whose time is not a number on its own', () => {
    const { candidates, rejected } = decodeSenml(
      [
        { n: 'co2', v: 1 },
        { n: 'co2', v: 2, t: 'now' },
      ],
      limits,
    );
    expect(candidates.map((c) => c.values)).toEqual([{ co2: 1 }]);
    expect(rejected).toEqual([
      { reason: 'timestamp_invalid', index: 1, field: 't', detail: 't must be a finite number of seconds' },
    ]);
  });

  it('refuses a non-object record', () => {
    expect(decodeSenml([{ n: 'co2', v: 1 }, 'x'], limits).rejected).toEqual([
      { reason: 'invalid_senml', index: 1, detail: 'record is a string; expected an object' },
    ]);
  });

  it.each([
    ['a non-string base name', { bn: 5, n: 'co2', v: 1 }, 'invalid_senml', 'bn must be a string; the pack is refused'],
    [
      'a non-numeric base time',
      { bt: '2024', n: 'co2', v: 1 },
      'timestamp_invalid',
      'bt must be a finite number of seconds; the pack is refused',
    ],
    [
      'a non-numeric base value',
      { bv: 'x', n: 'co2', v: 1 },
      'invalid_senml',
      'bv must be a finite number; the pack is refused',
    ],
    ['a base sum', { bs: 1, n: 'co2', v: 1 }, 'invalid_senml', 'base sum (bs) is not supported; the pack is refused'],
    [
      'a must-understand extension',
      { n: 'co2', v: 1, foo_: 1 },
      'invalid_senml',
      'must-understand field "foo_" is not supported (RFC 8428 §4.4); the pack is refused',
    ],
  ])('refuses the whole pack on %s, since later records depend on it', (_label, record, reason, detail) => {
    const decoded = decodeSenml([{ n: 'humidity', v: 40 }, record, { n: 'co2', v: 2 }], limits);
    expect(decoded).toEqual({ candidates: [], rejectedReadings: 1, rejected: [{ reason, index: 1, detail }] });
  });

  it('ignores unknown fields that are not must-understand (RFC 8428 §4.4)', () => {
    expect(decodeSenml([{ n: 'co2', v: 1, ut: 60, note: 'x' }], limits).rejected).toEqual([]);
  });

  it('refuses a pack with more distinct times than the batch limit', () => {
    const pack = Array.from({ length: 11 }, (_, i) => ({ n: 'co2', v: 500, t: -i - 1 }));
    expect(decodeSenml(pack, limits)).toEqual({
      candidates: [],
      rejectedReadings: 1,
      rejected: [
        {
          reason: 'batch_too_large',
          detail: 'the pack holds 11 readings (distinct times); the limit is 10 per publish',
        },
      ],
    });
  });
});
