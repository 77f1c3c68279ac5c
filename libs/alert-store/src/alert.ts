export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertState = 'open' | 'acknowledged' | 'resolved';

/** One alert: at most one not-resolved alert exists per (rule, device). */
export interface Alert {
  id: string;
  ruleId: string;
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
  field: string;
  severity: AlertSeverity;
  state: AlertState;
  description: string;
  /** Event time (the reading's timestamp) the condition was first met for long enough. */
  openedAt: string;
  lastValue: number;
  peakValue: number;
  /** Readings seen while the alert was open. */
  count: number;
  updatedAt: string;
  resolvedAt?: string;
}

export interface RaiseAlert {
  ruleId: string;
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
  field: string;
  severity: AlertSeverity;
  description: string;
  atMs: number;
  value: number;
}
