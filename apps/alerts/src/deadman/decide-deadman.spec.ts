import type { DeviceRuleStates, RuleDefinition } from '@citypulse/rules';
import { decideDeadmanAtEnd } from './decide-deadman.js';

const noData: RuleDefinition = {
  id: 'lift.no-data',
  deviceType: 'lift',
  field: '',
  condition: { kind: 'deadman', afterSeconds: 60 },
  forSeconds: 0,
  severity: 'warning',
  enabled: true,
};
const lift = { deviceId: 'r-beijing-lift-001', deviceType: 'lift', city: 'beijing', site: 'b-1' };
const t0 = 1_800_000_000_000;
const seenAt = (lastEventMs: number): DeviceRuleStates => ({
  states: { [noData.id]: { rule: { phase: 'ok', lastEventMs, count: 0 } } },
  outbox: [],
});

describe('the deadman check of an ended replay session', () => {
  it('raises for a device quiet a window before the end, opened at its last reading + the window', () => {
    const next = decideDeadmanAtEnd(seenAt(t0), lift, [noData], t0 + 90_000, t0);
    expect(next.outbox).toEqual([
      expect.objectContaining({ kind: 'raised', ruleId: noData.id, atMs: t0 + 60_000, value: 60 }),
    ]);
  });

  it('raises nothing for a device that published until the end, however late on the wall clock, nor twice', () => {
    expect(decideDeadmanAtEnd(seenAt(t0 + 50_000), lift, [noData], t0 + 90_000, t0 + 50_000).outbox).toEqual([]);
    const raised = decideDeadmanAtEnd(seenAt(t0), lift, [noData], t0 + 90_000, t0);
    expect(decideDeadmanAtEnd({ ...raised, outbox: [] }, lift, [noData], t0 + 90_000, t0).outbox).toEqual([]);
  });

  it('waits while readings ingest already handed over are not yet in the rule state', () => {
    expect(decideDeadmanAtEnd(seenAt(t0), lift, [noData], t0 + 90_000, t0 + 85_000).outbox).toEqual([]);
  });
});
