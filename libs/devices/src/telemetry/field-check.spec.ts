import { compileFieldCheck } from './field-check.js';
import { co2, count, enumeration, flag, numeric, powerFactor } from '../catalogue/fields.js';

describe('compileFieldCheck', () => {
  const co2Check = compileFieldCheck('co2', co2());

  it('passes a number inside the range, including both bounds', () => {
    expect(co2Check(800)).toBeUndefined();
    expect(co2Check(0)).toBeUndefined();
    expect(co2Check(5000)).toBeUndefined();
  });

  it('refuses a number above the maximum, naming value, bound and unit', () => {
    expect(co2Check(9000)).toEqual({ reason: 'out_of_range', detail: 'co2 = 9000 is above the maximum 5000 ppm' });
  });

  it('refuses a number below the minimum', () => {
    expect(co2Check(-1)).toEqual({ reason: 'out_of_range', detail: 'co2 = -1 is below the minimum 0 ppm' });
  });

  it('refuses a numeric string as wrong_type rather than coercing it', () => {
    expect(co2Check('800')).toEqual({
      reason: 'wrong_type',
      detail: 'co2 = "800" is a string; expected a number (ppm)',
    });
  });

  it('refuses the string "NaN" as wrong_type', () => {
    expect(co2Check('NaN')?.reason).toBe('wrong_type');
  });

  it.each([Infinity, -Infinity, NaN])('refuses %s as not_finite', (value) => {
    expect(co2Check(value)).toEqual({ reason: 'not_finite', detail: `co2 = ${value} is not a finite number` });
  });

  it.each([
    [null, 'co2 is null; expected a number (ppm)'],
    [true, 'co2 = true is a boolean; expected a number (ppm)'],
    [[1], 'co2 is an array; expected a number (ppm)'],
    [{ v: 1 }, 'co2 is an object; expected a number (ppm)'],
  ])('refuses %p as wrong_type', (value, detail) => {
    expect(co2Check(value)).toEqual({ reason: 'wrong_type', detail });
  });

  it('refuses a fraction for an integer field', () => {
    expect(compileFieldCheck('occupancy', count())(2.5)).toEqual({
      reason: 'wrong_type',
      detail: 'occupancy = 2.5 is not an integer',
    });
  });

  it('checks finiteness of an integer field before integrality', () => {
    expect(compileFieldCheck('occupancy', count())(Infinity)?.reason).toBe('not_finite');
  });

  it('accepts booleans for a flag and refuses 0/1', () => {
    const check = compileFieldCheck('fault', flag('f'));
    expect(check(false)).toBeUndefined();
    expect(check(1)).toEqual({ reason: 'wrong_type', detail: 'fault = 1 is a number; expected true or false' });
  });

  it('accepts listed enum values only, case-sensitively', () => {
    const check = compileFieldCheck('mode', enumeration(['heat', 'cool'], 'm'));
    expect(check('heat')).toBeUndefined();
    expect(check('HEAT')).toEqual({ reason: 'wrong_type', detail: 'mode = "HEAT" is not one of heat, cool' });
    expect(check(1)).toEqual({ reason: 'wrong_type', detail: 'mode = 1 is a number; expected one of heat, cool' });
  });

  it('cuts a long device-supplied string short in the detail', () => {
    const detail = compileFieldCheck('mode', enumeration(['heat'], 'm'))('x'.repeat(10_000))?.detail ?? '';
    expect(detail.length).toBeLessThan(120);
  });

  it('leaves an unbounded number unchecked for range and shows no unit for a unitless field', () => {
    expect(compileFieldCheck('x', numeric({ description: 'x' }))(1e300)).toBeUndefined();
    expect(compileFieldCheck('pf', powerFactor())(2)).toEqual({
      reason: 'out_of_range',
      detail: 'pf = 2 is above the maximum 1',
    });
  });
});
