import { defineDeviceType, deviceTypes } from '@citypulse/devices';
import { telemetryMeasurements } from './retention-plan.js';

const sensor = (name: string, fields: Parameters<typeof defineDeviceType>[0]['fields']) =>
  defineDeviceType({
    name,
    family: 'building',
    title: name,
    description: name,
    reportingIntervalS: 60,
    fields,
    defaultRules: [],
  });

describe('telemetryMeasurements', () => {
  it('lists every family of the catalogue with the fields of all its types, by how each is rolled up', () => {
    const measurements = telemetryMeasurements();
    expect(Object.keys(measurements).sort()).toEqual(['building', 'energy', 'traffic']);
    for (const type of Object.values(deviceTypes)) {
      for (const [field, spec] of Object.entries(type.fields)) {
        const expected = { number: 'number', integer: 'number', boolean: 'boolean', enum: 'string', text: 'string' };
        expect([type.name, field, measurements[type.measurement][field]]).toEqual([
          type.name,
          field,
          expected[spec.kind],
        ]);
      }
    }
  });

  it('merges the fields of a family’s types and refuses one field with two kinds', () => {
    const a = sensor('sensor-a', { level: { kind: 'number', description: 'l' } });
    const b = sensor('sensor-b', { open: { kind: 'boolean', description: 'o' } });
    expect(telemetryMeasurements([a, b])).toEqual({ building: { level: 'number', open: 'boolean' } });
    const c = sensor('sensor-c', { level: { kind: 'integer', description: 'l' } });
    expect(() => telemetryMeasurements([a, c])).toThrow(
      'field building.level is number in sensor-a but integer in sensor-c',
    );
  });
});
