import { willAllowed } from './will-policy.js';

describe('where a last will may go', () => {
  it('allows no will at all, and a will on the device’s own state topic', () => {
    expect(willAllowed(undefined, 'bj-env-1')).toBe(true);
    expect(willAllowed(null, 'bj-env-1')).toBe(true);
    expect(willAllowed({ topic: 'devices/bj-env-1/state' }, 'bj-env-1')).toBe(true);
  });

  it('refuses every other topic: its own telemetry, acks, errors, commands, config, another device’s state, alerts, near misses', () => {
    for (const topic of [
      'devices/bj-env-1/telemetry',
      'devices/bj-env-1/command-acks',
      'devices/bj-env-1/errors',
      'devices/bj-env-1/commands',
      'devices/bj-env-1/config',
      'devices/bj-env-2/state',
      'alerts/beijing/critical',
      'devices/bj-env-1/state/',
      'devices/bj-env-1/State',
      '/devices/bj-env-1/state',
    ]) {
      expect([topic, willAllowed({ topic }, 'bj-env-1')]).toEqual([topic, false]);
    }
  });

  it('refuses any will from a login that is not a device (an operator publishes nothing)', () => {
    expect(willAllowed({ topic: 'devices/bj-env-1/state' }, undefined)).toBe(false);
  });
});
