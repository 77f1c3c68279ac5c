import type { RuleDefinition, RuleState, Transition } from './types.js';
import type { RuleTarget } from './resolve.js';
import { alertId, type AlertTransition, type StoredRuleState } from './alert-transition.js';

/**
 * Records one rule transition: tracks the alert the (rule, device) holds open and appends the
 * transition to the outbox. Repeats only move counters, so consecutive 'updated' entries of one
 * alert collapse into the newest instead of one outbox entry per reading.
 */
export function recordTransition(
  outbox: AlertTransition[],
  stored: StoredRuleState,
  rule: RuleDefinition,
  target: RuleTarget,
  t: Transition,
  state: RuleState,
): void {
  if (t.kind === 'raised') {
    stored.openAlertId = alertId(rule.id, target.deviceId, t.atMs);
    delete stored.suppressedBy;
  }
  if (!stored.openAlertId) return;
  const previous = outbox[outbox.length - 1];
  if (t.kind === 'updated' && previous?.kind === 'updated' && previous.alertId === stored.openAlertId) outbox.pop();
  outbox.push({
    kind: t.kind,
    alertId: stored.openAlertId,
    ruleId: rule.id,
    ruleKind: rule.condition.kind,
    deviceId: target.deviceId,
    deviceType: target.deviceType,
    city: target.city,
    site: target.site,
    field: rule.field,
    severity: rule.severity,
    description: rule.description ?? '',
    atMs: t.atMs,
    value: t.value,
    peak: state.peak ?? t.value,
    count: state.count,
    ...(t.cause && { cause: t.cause }),
    ...(rule.renotifySeconds && { renotifySeconds: rule.renotifySeconds }),
  });
  if (t.kind === 'resolved') {
    stored.openAlertId = undefined;
    delete stored.suppressedBy;
  }
}
