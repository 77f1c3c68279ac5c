import type { Rejection } from '@citypulse/contracts';
import { defineDeviceType } from '../catalogue/device-type.js';
import { co2, count, flag, temperature } from '../catalogue/fields.js';
import { compileValidator } from './compile-validator.js';

const type = defineDeviceType({
  name: 'room-sensor',
  family: 'building',
  title: 'Room',
  description: 'Room sensor',
  reportingIntervalS: 60,
  fields: { temperature: temperature(), co2: co2(), occupancy: count(), fault: flag('fault') },
  defaultRules: [],
});

function validate(values: Record<string, unknown>, index?: number) {
  const out: Rejection[] = [];
  const ok = compileValidator(type).validateValues(values, index, out);
  return { ok, out };
}

describe('compileValidator', () => {
  it('builds one validator per device type and reuses it', () => {
    expect(compileValidator(type)).toBe(compileValidator(type));
  });

  it('passes a reading that reports only some of the fields', () => {
    expect(validate({ temperature: 21.5, fault: false })).toEqual({ ok: true, out: [] });
  });

  it('refuses a reading without values', () => {
    expect(validate({})).toEqual({ ok: false, out: [{ reason: 'empty_values', detail: 'the reading has no values' }] });
  });

  it('reports every bad field of a reading, each with the field and the batch index', () => {
    const { ok, out } = validate({ temperature: 21, co2: 9000, occupancy: 1.5, fault: 'yes' }, 4);
    expect(ok).toBe(false);
    expect(out).toEqual([
      { reason: 'out_of_range', index: 4, field: 'co2', detail: 'co2 = 9000 is above the maximum 5000 ppm' },
      { reason: 'wrong_type', index: 4, field: 'occupancy', detail: 'occupancy = 1.5 is not an integer' },
      { reason: 'wrong_type', index: 4, field: 'fault', detail: 'fault = "yes" is a string; expected true or false' },
    ]);
  });

  it('refuses a field the type does not have and lists the ones it does', () => {
    expect(validate({ temprature: 21 }).out).toEqual([
      {
        reason: 'unknown_field',
        field: 'temprature',
        detail: '"temprature" is not a field of room-sensor (fields: temperature, co2, occupancy, fault)',
      },
    ]);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'treats %s as an unknown field, not an Object.prototype member',
    (name) => {
      const values = JSON.parse(`{"${name}": 1}`) as Record<string, unknown>;
      expect(validate(values).out.map((r) => r.reason)).toEqual(['unknown_field']);
    },
  );

  it('accepts a SenML unit equal to the catalogue unit or its SenML symbol', () => {
    const out: Rejection[] = [];
    const senml = new Map([
      ['temperature', { record: 0, unit: 'Cel' }],
      ['co2', { record: 1, unit: 'ppm' }],
      ['occupancy', { record: 2, unit: undefined }],
    ]);
    expect(compileValidator(type).validateValues({ temperature: 20, co2: 500, occupancy: 3 }, 0, out, senml)).toBe(
      true,
    );
  });

  it('refuses a SenML value in another unit, pointing at its record', () => {
    const out: Rejection[] = [];
    const senml = new Map([
      ['co2', { record: 0, unit: 'ppm' }],
      ['temperature', { record: 1, unit: 'Far' }],
    ]);
    compileValidator(type).validateValues({ co2: 500, temperature: 70 }, 0, out, senml);
    expect(out).toEqual([
      {
        reason: 'invalid_senml',
        index: 1,
        field: 'temperature',
        detail: 'temperature was sent in unit "Far"; room-sensor temperature expects "°C" or "Cel"',
      },
    ]);
  });

  it('refuses a unit on a SenML value whose field has none', () => {
    const out: Rejection[] = [];
    compileValidator(type).validateValues({ fault: true }, 0, out, new Map([['fault', { record: 0, unit: 'V' }]]));
    expect(out[0].detail).toMatch(/fault has no unit/);
  });
});
