import type { DeviceReadings } from '@citypulse/contracts';
import { evaluateBatch, type ValueRule as RuleDefinition } from './evaluate.js';
import { decideDevice, readingsOutOfOrder } from './decide-device.js';

const rule: RuleDefinition = {
  id: 'electricity-meter.frequency-high',
  deviceType: 'electricity-meter',
  field: 'frequency',
  condition: { kind: 'above', threshold: 50.5, clearBelow: 50.2 },
  forSeconds: 10,
  severity: 'critical',
  enabled: true,
};
const device = { deviceId: 'm1', deviceType: 'electricity-meter', city: 'tianjin', site: 'tj-1' };
const options = { allowedLatenessMs: 60_000, nowMs: 1_700_000_100_000 };
const t0 = 1_700_000_000_000;

function readings(values: number[]): DeviceReadings['readings'] {
  return values.map((frequency, i) => [t0 + i * 1000, { frequency, voltage: 230 }]);
}

describe('decideDevice', () => {
  it('raises one alert when the breach has lasted the rule’s duration, and resolves it past the clear level', () => {
    const next = decideDevice({ states: {}, outbox: [] }, device, [rule], readings([50, 50, 50.6, ...Array(11).fill(50.7), 50.3, 50.1, 50]), options);
    expect(next.outbox.map((t) => t.kind)).toEqual(['raised', 'updated', 'resolved']);
    expect(next.outbox[0]).toMatchObject({ alertId: `${rule.id}:m1:${t0 + 12_000}`, city: 'tianjin', value: 50.7 });
    expect(next.outbox[2]).toMatchObject({ kind: 'resolved', value: 50.1 });
    expect(next.states[rule.id].openAlertId).toBeUndefined();
  });

  it('ends in the same rule state as evaluating every reading, though it skips quiet stretches', () => {
    const values = [50, 50.1, 49.9, 50.6, 50.7, 50, 50.1, 50.6, ...Array(12).fill(50.8), 50, 49.9, 50];
    const next = decideDevice({ states: {}, outbox: [] }, device, [rule], readings(values), options);
    const full = evaluateBatch(rule, undefined, readings(values).map(([tsMs, v]) => ({ tsMs, value: v.frequency as number })), options);
    expect(next.states[rule.id].rule).toEqual(full.state);
    expect(next.outbox.map((t) => t.kind)).toEqual(full.transitions.map((t) => t.kind).filter((k, i, all) => !(k === 'updated' && all[i + 1] === 'updated')));
  });

  it('keeps earlier unapplied transitions in the outbox ahead of new ones', () => {
    const first = decideDevice({ states: {}, outbox: [] }, device, [rule], readings([50.6, ...Array(11).fill(50.7)]), options);
    const second = decideDevice(first, device, [rule], readings([50, 50]).map(([t, v]) => [t + 60_000, v]), options);
    expect(second.outbox.map((t) => t.kind)).toEqual(['raised', 'updated', 'resolved']);
  });

  it('counts the readings no newer than what the device’s rule states already took in', () => {
    const current = decideDevice({ states: {}, outbox: [] }, device, [rule], readings([50, 50, 50]), options);
    expect(readingsOutOfOrder({ states: {}, outbox: [] }, readings([50, 50]))).toBe(0);
    expect(readingsOutOfOrder(current, [[t0 + 3000, { frequency: 50 }]])).toBe(0);
    expect(readingsOutOfOrder(current, [[t0 + 1000, { frequency: 50 }], [t0 + 2000, { frequency: 50 }], [t0 + 5000, { frequency: 50 }]])).toBe(2);
  });
});
