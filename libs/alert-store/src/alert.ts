import type { RaiseAlert, Severity } from '@citypulse/rules';

export type AlertSeverity = Severity;
export type AlertState = 'open' | 'acknowledged' | 'resolved';
export const ALERT_STATES: readonly AlertState[] = ['open', 'acknowledged', 'resolved'];
export const SEVERITY_RANK: Readonly<Record<AlertSeverity, number>> = { info: 0, warning: 1, critical: 2 };

/**
 * One alert: at most one not-resolved alert exists per (rule, device). What it is about (rule,
 * device, field, severity, description, cause, maintenance window) is what raised it (RaiseAlert);
 * the raise's time and value become openedAt and lastValue/peakValue.
 */
export interface Alert extends Omit<RaiseAlert, 'atMs' | 'value' | 'renotifySeconds'> {
  id: string;
  state: AlertState;
  /** Event time (the reading's timestamp) the condition was first met for long enough. */
  openedAt: string;
  lastValue: number;
  peakValue: number;
  /** Readings (deadman: checks) seen while the alert was open. */
  count: number;
  updatedAt: string;
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  assignee?: string;
  /** No re-notification until then (shelved). */
  snoozedUntil?: string;
  /** This alert superseded lower-severity open alerts of the same device and field. */
  escalatedFrom?: string[];
  /** A higher-severity alert of the same device and field superseded this one. */
  escalatedTo?: string;
  resolvedAt?: string;
  /** 'rule' when the condition cleared, else the operator who resolved it. */
  resolvedBy?: string;
  /**
   * When a notification to one of its channels last failed for good (attempts used up or refused), and which and why.
   */
  deliveryFailedAt?: string;
  deliveryFailure?: string;
  /** Re-notify this often while open and unacknowledged; 0 = never. */
  renotifySeconds: number;
  lastNotifiedAt?: string;
  /** The latest note an operator gave with an action, who gave it and when: shown on the alert. */
  lastNote?: string;
  lastNoteBy?: string;
  lastNoteAt?: string;
}

/** Declared with the rule decisions that produce it (libs/rules), which need nothing of the store. */
export type { RaiseAlert };

export type AlertEventKind =
  | 'raised'
  | 'suppressed'
  | 'escalated'
  | 'acknowledged'
  | 'assigned'
  | 'snoozed'
  | 'renotified'
  | 'resolved'
  | NotificationEventKind;
/**
 * History entries of notifying: an escalation policy's step (which level, which channels), and every delivery attempt's
 * outcome.
 */
export type NotificationEventKind = 'escalation-step' | 'delivery';

/** One entry of an alert's history (and one point of the `alerts` measurement): who did what, when. */
export interface AlertEvent {
  /** Unique and deterministic where the event comes from rule evaluation (replays find it). */
  id: string;
  alertId: string;
  kind: AlertEventKind;
  at: string;
  /** 'rule' for the rule engine, else the operator. */
  actor: string;
  note?: string;
  /** The value that caused it, for rule events. */
  value?: number;
  /** E.g. the alerts an escalation superseded, or the assignee. */
  detail?: string;
}

export interface AlertQuery {
  /** 'active': open or acknowledged (not resolved). */
  state?: AlertState | 'active';
  city?: string;
  /** Exact site id. */
  site?: string;
  /** Only alerts of these cities (a city-scoped API token); undefined = every city. */
  cities?: readonly string[];
  deviceId?: string;
  ruleId?: string;
  severity?: AlertSeverity;
  /** true: only alerts raised under maintenance; false: none of them; undefined: both. */
  suppressed?: boolean;
  /** openedAt range, epoch ms, inclusive. */
  fromMs?: number;
  toMs?: number;
  limit?: number;
  offset?: number;
  /** 'time' (default): newest first; 'severity': most severe first, newest first within a severity. */
  order?: 'time' | 'severity';
}
