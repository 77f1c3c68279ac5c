import type { AlertSeverity } from '@citypulse/alert-store';

/**
 * A change of alert state decided by rule evaluation, kept in the device's outbox until the
 * alert store has applied it (so a worker dying in between loses no alert).
 */
export interface AlertTransition {
  kind: 'raised' | 'updated' | 'resolved';
  alertId: string;
  ruleId: string;
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
  field: string;
  severity: AlertSeverity;
  description: string;
  /** Event time of the reading that caused it. */
  atMs: number;
  value: number;
  /** Worst value and readings counted while open, as of this transition (absolute, so replays are harmless). */
  peak: number;
  count: number;
}
