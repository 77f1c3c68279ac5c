import { deviceTypeNames, deviceTypes, getDeviceType } from './registry.js';

describe('device type registry', () => {
  it('holds the building, energy and traffic types the city cluster runs', () => {
    expect(deviceTypeNames()).toEqual(
      expect.arrayContaining([
        'env-sensor',
        'hvac-unit',
        'lift',
        'electricity-meter',
        'solar-inverter',
        'traffic-detector',
        'signal-controller',
      ]),
    );
  });

  it('finds a type by name and returns undefined for names not in the catalogue', () => {
    expect(getDeviceType('env-sensor')?.family).toBe('building');
    expect(getDeviceType('toaster')).toBeUndefined();
  });

  it('does not resolve Object.prototype members as device types', () => {
    expect(getDeviceType('constructor')).toBeUndefined();
    expect(getDeviceType('__proto__')).toBeUndefined();
    expect(getDeviceType('toString')).toBeUndefined();
  });

  it('keys every type by its own name and uses the family as the measurement', () => {
    for (const [name, type] of Object.entries(deviceTypes)) {
      expect(type.name).toBe(name);
      expect(type.measurement).toBe(type.family);
    }
  });

  it('gives every numeric field a range, so nothing implausible reaches InfluxDB', () => {
    for (const type of Object.values(deviceTypes)) {
      for (const [name, spec] of Object.entries(type.fields)) {
        if (spec.kind === 'number' || spec.kind === 'integer') {
          expect({ field: `${type.name}.${name}`, min: typeof spec.min, max: typeof spec.max }).toEqual({
            field: `${type.name}.${name}`,
            min: 'number',
            max: 'number',
          });
        }
      }
    }
  });

  it('describes the env-sensor as temperature, humidity, CO₂ and occupancy with a CO₂ rule that has hysteresis', () => {
    const env = getDeviceType('env-sensor');
    expect(Object.keys(env?.fields ?? {})).toEqual(['temperature', 'humidity', 'co2', 'occupancy']);
    expect(env?.defaultRules.find((r) => r.id === 'co2-high')).toMatchObject({
      condition: 'above',
      threshold: 1500,
      clearThreshold: 1200,
      forSeconds: 60,
      severity: 'warning',
    });
  });

  it('counts electricity meter energy on a monotonic kWh register', () => {
    expect(getDeviceType('electricity-meter')?.fields.energy).toMatchObject({ unit: 'kWh', monotonic: true });
  });
});
