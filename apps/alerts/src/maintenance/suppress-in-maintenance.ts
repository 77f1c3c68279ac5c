import type { MaintenanceCalendar } from '@citypulse/alert-config';
import {
  recordTransition,
  type AlertTransition,
  type DeviceRuleStates,
  type RuleDefinition,
  type RuleTarget,
} from '@citypulse/rules';

/**
 * Marks the alerts a decision raises while the device is under maintenance: each `raised`
 * transition of `next.outbox` not already in `earlier` (the outbox before this decision, whose
 * entries are carried over as they are) whose event time falls in an open window of the device is
 * raised as suppressed by that window, and its rule state remembers it (for `releaseSuppressed`).
 * Asked only per raise — normal readings and repeats never reach the calendar — and the calendar
 * answers from memory (refreshed per job).
 */
export function markSuppressed(
  next: DeviceRuleStates,
  earlier: readonly AlertTransition[],
  target: RuleTarget,
  calendar: MaintenanceCalendar,
): void {
  if (calendar.empty) return;
  const { outbox, states } = next;
  for (let i = 0; i < outbox.length; i++) {
    const t = outbox[i];
    if (t.kind !== 'raised' || earlier.includes(t)) continue;
    const open = calendar.openFor(target, t.atMs);
    if (!open) continue;
    outbox[i] = { ...t, suppressedBy: open.window.id };
    const state = states[t.ruleId];
    if (state?.openAlertId === t.alertId) states[t.ruleId] = { ...state, suppressedBy: open.window.id };
  }
}

/**
 * Once the device is out of maintenance (at `atMs`, a reading's time), each alert still open from
 * a suppressed raise is resolved — silently, being suppressed — and its rule starts afresh (phase
 * ok), so a breach still going on raises a new alert that notifies: alerting resumes when the
 * window closes even for a condition that never cleared.
 */
export function releaseSuppressed(
  current: DeviceRuleStates,
  target: RuleTarget,
  rules: RuleDefinition[],
  atMs: number,
): DeviceRuleStates {
  const states = { ...current.states };
  const outbox = [...current.outbox];
  for (const rule of rules) {
    const stored = states[rule.id];
    if (!stored?.suppressedBy || !stored.openAlertId) continue;
    const released = { ...stored };
    recordTransition(
      outbox,
      released,
      rule,
      target,
      { kind: 'resolved', atMs, value: stored.rule.lastValue ?? stored.rule.peak ?? 0 },
      stored.rule,
    );
    states[rule.id] = { ...released, rule: { phase: 'ok', lastEventMs: stored.rule.lastEventMs, count: 0 } };
  }
  return { states, outbox };
}

/** Whether any rule state of the device holds an alert raised under maintenance. */
export function holdsSuppressed(current: DeviceRuleStates): boolean {
  return Object.values(current.states).some((s) => s.suppressedBy !== undefined && s.openAlertId !== undefined);
}
