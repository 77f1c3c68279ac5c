import type { RuleState, Severity } from './types.js';

/**
 * Everything needed to raise an alert, as rule evaluation decides it. Declared here, with the
 * decision, so the pure rule code needs nothing of the alert store that persists it.
 */
export interface RaiseAlert {
  ruleId: string;
  /** The rule's condition kind: above, below, outside, rate or deadman. */
  ruleKind: string;
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
  /** '' for deadman alerts, which concern the whole device. */
  field: string;
  severity: Severity;
  description: string;
  atMs: number;
  value: number;
  /** Deadman: whether the device is disconnected or connected but silent. */
  cause?: string;
  renotifySeconds?: number;
  /** The maintenance window open for the device at `atMs`: the alert is recorded as suppressed. */
  suppressedBy?: string;
}

/**
 * A change of alert state decided by rule evaluation, kept in the device's outbox until the
 * alert store has applied it (so a worker dying in between loses no alert). Carries everything
 * needed to raise the alert, since a replayed outbox may have to.
 */
export interface AlertTransition extends RaiseAlert {
  kind: 'raised' | 'updated' | 'resolved';
  alertId: string;
  /** Worst value and readings counted while open, as of this transition (absolute, so replays are harmless). */
  peak: number;
  count: number;
}

/** Rule state of one (rule, device), plus the alert it currently holds open. */
export interface StoredRuleState {
  rule: RuleState;
  openAlertId?: string;
  /** The open alert was raised under this maintenance window (suppressed): released once the device is out of it. */
  suppressedBy?: string;
}

/** Everything the alerts worker stores per device: the rules' states and the transitions not yet applied. */
export interface DeviceRuleStates {
  states: Record<string, StoredRuleState>;
  /** Transitions decided but not yet confirmed applied to the alert store. */
  outbox: AlertTransition[];
}

/**
 * The id of the alert a rule raises for a device at an event time. Deterministic, so a replayed
 * transition names the alert it already raised (the store's raise is then a no-op).
 */
export function alertId(ruleId: string, deviceId: string, atMs: number): string {
  return `${ruleId}:${deviceId}:${atMs}`;
}
