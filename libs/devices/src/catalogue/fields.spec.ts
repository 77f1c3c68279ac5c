import {
  co2,
  count,
  energyCounter,
  enumeration,
  flag,
  humidity,
  integer,
  numeric,
  power,
  temperature,
} from './fields.js';

describe('field helpers', () => {
  it('give temperature the physical range of a typical sensor in °C with the SenML unit Cel', () => {
    expect(temperature()).toEqual({
      kind: 'number',
      unit: '°C',
      senmlUnit: 'Cel',
      min: -40,
      max: 85,
      description: 'Temperature',
    });
  });

  it('let a device type narrow a range or reword the description without losing the other defaults', () => {
    expect(temperature({ max: 150, description: 'Motor temperature' })).toEqual({
      kind: 'number',
      unit: '°C',
      senmlUnit: 'Cel',
      min: -40,
      max: 150,
      description: 'Motor temperature',
    });
  });

  it('keep a default when an override is explicitly undefined', () => {
    expect(humidity({ max: undefined }).max).toBe(100);
  });

  it('describe counts as non-negative integers', () => {
    expect(count({ max: 50 })).toMatchObject({ kind: 'integer', min: 0, max: 50 });
  });

  it('mark energy counters as monotonic', () => {
    expect(energyCounter()).toMatchObject({ kind: 'number', unit: 'kWh', min: 0, monotonic: true });
  });

  it('leave out keys that were not given, so the catalogue holds no undefined entries', () => {
    expect(Object.keys(numeric({ description: 'x' }))).toEqual(['kind', 'description']);
    expect(Object.keys(integer({ unit: 's', description: 'y' }))).toEqual(['kind', 'unit', 'description']);
  });

  it('build enums with a frozen copy of their values', () => {
    const values = ['a', 'b'];
    const spec = enumeration(values, 'mode');
    values.push('c');
    expect(spec).toEqual({ kind: 'enum', values: ['a', 'b'], description: 'mode' });
    expect(Object.isFrozen(spec.values)).toBe(true);
  });

  it('build flags as booleans', () => {
    expect(flag('fault')).toEqual({ kind: 'boolean', description: 'fault' });
  });

  it('use ppm for CO₂ and kW for power', () => {
    expect(co2().unit).toBe('ppm');
    expect(power().unit).toBe('kW');
  });
});
