import type { DeviceReadings } from '@citypulse/contracts';
import { MaintenanceCalendar } from '@citypulse/alert-config';
import type { ValueRule } from '@citypulse/rules';
import { decideWithMaintenance } from './decide-with-maintenance.js';

const rule: ValueRule = {
  id: 'co2-high',
  deviceType: 'env-sensor',
  field: 'co2',
  condition: { kind: 'above', threshold: 1000 },
  forSeconds: 0,
  severity: 'critical',
  enabled: true,
};
const device = { deviceId: 'sz-1', deviceType: 'env-sensor', city: 'shenzhen', site: 'sz-tower-1' };
const options = { allowedLatenessMs: 60_000, nowMs: 0 };
const t0 = Date.parse('2026-05-01T10:00:00Z');
const windowUntil = (endMs: number, deviceId = device.deviceId) =>
  new MaintenanceCalendar().use([
    {
      id: 'mw-1',
      city: 'shenzhen',
      deviceIds: [deviceId],
      startsAt: new Date(t0 - 3_600_000).toISOString(),
      endsAt: new Date(endMs).toISOString(),
      createdBy: 't',
      createdAt: '',
    },
  ]);
const co2 = (...values: Array<[offsetS: number, value: number]>): DeviceReadings['readings'] =>
  values.map(([s, v]) => [t0 + s * 1000, { co2: v }]);
const empty = { states: {}, outbox: [] };

describe('decideWithMaintenance', () => {
  it('raises as suppressed by the window open at the reading’s time, and remembers it in the rule state', () => {
    const next = decideWithMaintenance(
      empty,
      device,
      [rule],
      co2([0, 1500], [1, 1600]),
      options,
      windowUntil(t0 + 60_000),
    );
    expect(next.outbox.map((t) => [t.kind, t.suppressedBy])).toEqual([
      ['raised', 'mw-1'],
      ['updated', undefined],
    ]);
    expect(next.states[rule.id]).toMatchObject({ openAlertId: `co2-high:sz-1:${t0}`, suppressedBy: 'mw-1' });
  });

  it('leaves devices out of scope, and readings after the window, alone', () => {
    expect(
      decideWithMaintenance(empty, device, [rule], co2([0, 1500]), options, windowUntil(t0 + 60_000, 'sz-2')).outbox[0]
        .suppressedBy,
    ).toBeUndefined();
    expect(
      decideWithMaintenance(empty, device, [rule], co2([61, 1500]), options, windowUntil(t0 + 60_000)).outbox[0]
        .suppressedBy,
    ).toBeUndefined();
  });

  it('resolves a suppressed alert at the first reading after the window and raises anew for a breach still going on', () => {
    const calendar = windowUntil(t0 + 60_000);
    const inside = decideWithMaintenance(empty, device, [rule], co2([0, 1500]), options, calendar);
    const applied = { ...inside, outbox: [] };
    const next = decideWithMaintenance(
      applied,
      device,
      [rule],
      co2([30, 1550], [61, 1700], [62, 1800]),
      options,
      calendar,
    );
    expect(next.outbox.map((t) => [t.kind, t.alertId, t.suppressedBy, t.atMs - t0])).toEqual([
      ['updated', `co2-high:sz-1:${t0}`, undefined, 30_000],
      ['resolved', `co2-high:sz-1:${t0}`, undefined, 61_000],
      ['raised', `co2-high:sz-1:${t0 + 61_000}`, undefined, 61_000],
      ['updated', `co2-high:sz-1:${t0 + 61_000}`, undefined, 62_000],
    ]);
    expect(next.states[rule.id].suppressedBy).toBeUndefined();
  });

  it('releases without raising when the condition cleared meanwhile, and keeps a suppressed alert while the window lasts', () => {
    const calendar = windowUntil(t0 + 60_000);
    const inside = { ...decideWithMaintenance(empty, device, [rule], co2([0, 1500]), options, calendar), outbox: [] };
    expect(
      decideWithMaintenance(inside, device, [rule], co2([40, 1500]), options, calendar).outbox.map((t) => t.kind),
    ).toEqual(['updated']);
    const after = decideWithMaintenance(inside, device, [rule], co2([70, 500]), options, calendar);
    expect(after.outbox.map((t) => t.kind)).toEqual(['resolved']);
    expect(after.states[rule.id]).toMatchObject({ rule: { phase: 'ok' } });
    expect(after.states[rule.id].openAlertId).toBeUndefined();
  });
});
