import type { RaiseAlert } from '@citypulse/alert-store';

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
