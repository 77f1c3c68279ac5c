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
    const next = decideDevice(
      { states: {}, outbox: [] },
      device,
      [rule],
      readings([50, 50, 50.6, ...Array(11).fill(50.7), 50.3, 50.1, 50]),
      options,
    );
    expect(next.outbox.map((t) => t.kind)).toEqual(['raised', 'updated', 'resolved']);
    expect(next.outbox[0]).toMatchObject({ alertId: `${rule.id}:m1:${t0 + 12_000}`, city: 'tianjin', value: 50.7 });
    expect(next.outbox[2]).toMatchObject({ kind: 'resolved', value: 50.1 });
    expect(next.states[rule.id].openAlertId).toBeUndefined();
  });

  it('ends in the same rule state as evaluating every reading, though it skips quiet stretches', () => {
    const values = [50, 50.1, 49.9, 50.6, 50.7, 50, 50.1, 50.6, ...Array(12).fill(50.8), 50, 49.9, 50];
    const next = decideDevice({ states: {}, outbox: [] }, device, [rule], readings(values), options);
    const full = evaluateBatch(
      rule,
      undefined,
      readings(values).map(([tsMs, v]) => ({ tsMs, value: v.frequency as number })),
      options,
    );
    expect(next.states[rule.id].rule).toEqual(full.state);
    expect(next.outbox.map((t) => t.kind)).toEqual(
      full.transitions.map((t) => t.kind).filter((k, i, all) => !(k === 'updated' && all[i + 1] === 'updated')),
    );
  });

  it('keeps earlier unapplied transitions in the outbox ahead of new ones', () => {
    const first = decideDevice(
      { states: {}, outbox: [] },
      device,
      [rule],
      readings([50.6, ...Array(11).fill(50.7)]),
      options,
    );
    const second = decideDevice(
      first,
      device,
      [rule],
      readings([50, 50]).map(([t, v]) => [t + 60_000, v]),
      options,
    );
    expect(second.outbox.map((t) => t.kind)).toEqual(['raised', 'updated', 'resolved']);
  });

  it('counts the readings no newer than what the device’s rule states already took in', () => {
    const current = decideDevice({ states: {}, outbox: [] }, device, [rule], readings([50, 50, 50]), options);
    expect(readingsOutOfOrder({ states: {}, outbox: [] }, readings([50, 50]))).toBe(0);
    expect(readingsOutOfOrder(current, [[t0 + 3000, { frequency: 50 }]])).toBe(0);
    expect(
      readingsOutOfOrder(current, [
        [t0 + 1000, { frequency: 50 }],
        [t0 + 2000, { frequency: 50 }],
        [t0 + 5000, { frequency: 50 }],
      ]),
    ).toBe(2);
  });

  describe('deadman rules on the device’s own clock (a replay session)', () => {
    const noData: RuleDefinition = {
      id: 'electricity-meter.no-data',
      deviceType: 'electricity-meter',
      field: '',
      condition: { kind: 'deadman', afterSeconds: 300 } as never,
      forSeconds: 0,
      severity: 'warning',
      enabled: true,
    };
    const minutes = (...ms: number[]): DeviceReadings['readings'] =>
      ms.map((m) => [t0 + m * 60_000, { frequency: 50 }]);
    // Hours after the readings on the wall clock, as a compressed replay's readings are.
    const replay = { ...options, nowMs: t0 + 5 * 3_600_000, deadmanClock: 'event' as const };

    it('raises nothing for a device that keeps publishing, however old its readings are on the wall clock', () => {
      const next = decideDevice({ states: {}, outbox: [] }, device, [noData], minutes(0, 1, 2, 3, 4, 5, 6), replay);
      expect(next.outbox).toEqual([]);
      expect(next.states[noData.id].rule).toMatchObject({ phase: 'ok', lastEventMs: t0 + 6 * 60_000 });
    });

    it('raises at the end of the window of a gap between readings, and resolves at the reading that ends it, in one batch or across two', () => {
      const once = decideDevice({ states: {}, outbox: [] }, device, [noData], minutes(0, 1, 2, 20, 21), replay);
      expect(once.outbox.map((t) => [t.kind, t.atMs])).toEqual([
        ['raised', t0 + 7 * 60_000],
        ['resolved', t0 + 20 * 60_000],
      ]);
      const split = decideDevice(
        decideDevice({ states: {}, outbox: [] }, device, [noData], minutes(0, 1, 2), replay),
        device,
        [noData],
        minutes(20, 21),
        replay,
      );
      expect(split.outbox).toEqual(once.outbox);
      expect(split.states).toEqual(once.states);
    });
  });
});
