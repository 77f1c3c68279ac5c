import { mayMatchTelemetry } from './telemetry-routing.js';

describe('mayMatchTelemetry', () => {
  it.each([
    'devices/+/telemetry',
    'devices/m-1/telemetry',
    '#',
    'devices/#',
    '+/+/telemetry',
    'devices/+/#',
    '+/m-1/+',
    'devices/m-1/telemetry/#',
  ])('is true for %s', (filter) => {
    expect(mayMatchTelemetry(filter)).toBe(true);
  });

  it.each([
    'devices/+/state',
    'devices/m-1/errors',
    'alerts/#',
    'alerts/beijing/critical',
    'devices',
    'devices/+',
    'devices/+/telemetry/x',
    'things/+/telemetry',
  ])('is false for %s', (filter) => {
    expect(mayMatchTelemetry(filter)).toBe(false);
  });
});
