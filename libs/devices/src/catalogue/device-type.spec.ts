import { defineDeviceType, type DeviceTypeInput } from './device-type.js';
import { enumeration, flag, integer, temperature } from './fields.js';

const valid: DeviceTypeInput = {
  name: 'test-sensor',
  family: 'building',
  title: 'Test',
  description: 'Test sensor',
  reportingIntervalS: 60,
  fields: { temperature: temperature(), fault: flag('fault') },
  defaultRules: [
    {
      id: 'hot',
      field: 'temperature',
      condition: 'above',
      threshold: 30,
      clearThreshold: 28,
      forSeconds: 60,
      severity: 'warning',
      description: 'hot',
    },
  ],
};

describe('defineDeviceType', () => {
  it('sets the measurement to the family and freezes the definition', () => {
    const type = defineDeviceType(valid);
    expect(type.measurement).toBe('building');
    expect(Object.isFrozen(type)).toBe(true);
    expect(Object.isFrozen(type.fields)).toBe(true);
    expect(Object.isFrozen(type.fields.temperature)).toBe(true);
    expect(Object.isFrozen(type.defaultRules[0])).toBe(true);
  });

  it.each<[string, Partial<DeviceTypeInput>, RegExp]>([
    ['a name that is not kebab-case', { name: 'TestSensor' }, /kebab-case/],
    ['a non-positive reporting interval', { reportingIntervalS: 0 }, /reportingIntervalS/],
    ['no fields', { fields: {}, defaultRules: [] }, /no fields/],
    ['a field name that is not snake_case', { fields: { Temp: temperature() }, defaultRules: [] }, /snake_case/],
    ['a field called time', { fields: { time: temperature() }, defaultRules: [] }, /snake_case/],
    [
      'min above max',
      { fields: { temperature: temperature({ min: 10, max: 0 }) }, defaultRules: [] },
      /min is above max/,
    ],
    [
      'an enum with repeated values',
      { fields: { mode: enumeration(['a', 'a'], 'm') }, defaultRules: [] },
      /distinct values/,
    ],
    ['a monotonic flag', { fields: { f: { ...flag('f'), monotonic: true } }, defaultRules: [] }, /monotonic/],
  ])('refuses %s', (_label, change, message) => {
    expect(() => defineDeviceType({ ...valid, ...change })).toThrow(message);
  });

  const rule = valid.defaultRules[0];
  it.each<[string, Partial<typeof rule>, RegExp]>([
    ['a rule on a missing field', { field: 'nope' }, /does not exist/],
    ['a rule on a boolean field', { field: 'fault' }, /not numeric/],
    ['an "above" rule that clears above its threshold', { clearThreshold: 31 }, /normal side/],
    [
      'a "below" rule that clears below its threshold',
      { condition: 'below', threshold: 5, clearThreshold: 4 },
      /normal side/,
    ],
    ['a threshold outside the field range', { threshold: 100, clearThreshold: 90 }, /outside the field's range/],
    ['a negative duration', { forSeconds: -1 }, /forSeconds/],
  ])('refuses %s', (_label, change, message) => {
    expect(() => defineDeviceType({ ...valid, defaultRules: [{ ...rule, ...change }] })).toThrow(message);
  });

  it('refuses two rules with the same id', () => {
    expect(() => defineDeviceType({ ...valid, defaultRules: [rule, rule] })).toThrow(/used twice/);
  });

  it('accepts a rule whose clear threshold equals its threshold (no hysteresis)', () => {
    expect(() => defineDeviceType({ ...valid, defaultRules: [{ ...rule, clearThreshold: 30 }] })).not.toThrow();
  });

  it('gives every type the common config keys and commands, then its own', () => {
    const type = defineDeviceType({
      ...valid,
      config: { fan_speed: integer({ min: 0, max: 3, description: 'fan' }) },
      commands: { blink: { description: 'blink', params: {} } },
    });
    expect(Object.keys(type.config)).toEqual(['reporting_interval_s', 'fan_speed']);
    expect(Object.keys(type.commands)).toEqual(['reboot', 'set-interval', 'firmware-update', 'blink']);
    expect(Object.isFrozen(type.commands['set-interval'].params)).toBe(true);
  });

  it.each<[string, Partial<DeviceTypeInput>, RegExp]>([
    [
      'redefining a common config key',
      { config: { reporting_interval_s: integer({ min: 1, max: 5, description: 'x' }) } },
      /common to every type/,
    ],
    ['a config key that is not snake_case', { config: { FanSpeed: flag('x') } }, /snake_case/],
    [
      'a config key with min above max',
      { config: { level: integer({ min: 5, max: 1, description: 'x' }) } },
      /min is above max/,
    ],
    ['redefining a common command', { commands: { reboot: { description: 'x', params: {} } } }, /common to every type/],
    ['a command name that is not kebab-case', { commands: { Blink: { description: 'x', params: {} } } }, /kebab-case/],
    [
      'a command param that is not snake_case',
      { commands: { blink: { description: 'x', params: { 'Times-N': flag('x') } } } },
      /snake_case/,
    ],
  ])('refuses %s', (_label, change, message) => {
    expect(() => defineDeviceType({ ...valid, ...change })).toThrow(message);
  });
});
