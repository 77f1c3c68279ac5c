export type Severity = 'info' | 'warning' | 'critical';

/**
 * When a value is in breach, and when it is clear again. The clear level (hysteresis) is on the
 * normal side of the threshold so a value hovering at the threshold raises one alert, not a storm.
 */
export type Condition =
  /** Raised while value > threshold; cleared once value <= clearBelow (defaults to threshold). */
  | { kind: 'above'; threshold: number; clearBelow?: number }
  /** Raised while value < threshold; cleared once value >= clearAbove (defaults to threshold). */
  | { kind: 'below'; threshold: number; clearAbove?: number }
  /** Raised while value < low or value > high; cleared once back inside by `clearMargin`. */
  | { kind: 'outside'; low: number; high: number; clearMargin?: number }
  /**
   * Rate of change: the per-second rate between consecutive readings (by event time) outside
   * [min, max]; cleared once back inside by `clearMargin`. An energy counter that jumps
   * (`max`) or runs backwards (`min: 0`).
   */
  | { kind: 'rate'; min?: number; max?: number; clearMargin?: number }
  /**
   * No data: raised when a device has sent no reading for `afterSeconds` ('no-data', whatever its
   * connection), or has been disconnected for that long ('offline'). Evaluated by the scheduled
   * deadman check, cleared by a fresh reading (or, for 'offline', by reconnecting).
   */
  | { kind: 'deadman'; afterSeconds: number; when?: 'no-data' | 'offline' };

/** The conditions evaluated per reading on a value (deadman is evaluated on a schedule). */
export type ValueCondition = Exclude<Condition, { kind: 'deadman' }>;

/** Narrows a rule from its whole device type to a city, a site or one device. */
export interface RuleScope {
  city?: string;
  site?: string;
  deviceId?: string;
}

export interface RuleDefinition {
  /** Unique id; alerts are keyed by (rule id, device id). */
  id: string;
  /**
   * The slot this rule fills: rules sharing a key compete, and the most specific scope that
   * matches a device wins (an operator's Beijing-only "co2-high" replaces the catalogue default).
   * @defaultValue the rule id
   */
  key?: string;
  deviceType: string;
  scope?: RuleScope;
  /** The reading field compared; '' for deadman rules, which watch the device, not a field. */
  field: string;
  condition: Condition;
  /** The condition must hold this long, in event time, before the alert is raised. */
  forSeconds: number;
  severity: Severity;
  enabled: boolean;
  description?: string;
  /** While the alert stays open and unacknowledged, notify again this often; absent or 0: once. */
  renotifySeconds?: number;
}

/** What a rule remembers about one device between readings. JSON-serialisable. */
export interface RuleState {
  phase: 'ok' | 'pending' | 'firing';
  /** Event time (ms) the current breach began (pending) or the alert was raised (firing). */
  since?: number;
  /** Newest event time seen; older readings never change the phase. */
  lastEventMs: number;
  lastValue?: number;
  /** Newest event time at which the value was not in breach. */
  lastOkMs?: number;
  /** Worst value while firing. */
  peak?: number;
  /** Readings while firing. */
  count: number;
  /** Deadman only: the cause last reported on the open alert. */
  cause?: SilenceCause;
}

export interface Transition {
  kind: 'raised' | 'updated' | 'resolved';
  /** Event time of the reading that caused it (deadman: the check's time). */
  atMs: number;
  /** The value compared: the reading's value, the rate per second, or (deadman) seconds without data. */
  value: number;
  /** Deadman only: why no data comes. */
  cause?: SilenceCause;
}

/**
 * How a device stands against its expected reporting (deadman):
 * - reporting: a reading within the type's reporting interval (with grace);
 * - late: overdue against the reporting interval, still connected (no alert yet);
 * - silent: connected but silent for at least a deadman window;
 * - disconnected: the broker saw it go (disconnect, last will, keepalive timeout).
 */
export type SilenceStatus = 'reporting' | 'late' | 'silent' | 'disconnected';
export type SilenceCause = Extract<SilenceStatus, 'silent' | 'disconnected'>;

export interface Evaluation {
  state: RuleState;
  transition?: Transition;
  /** Why the reading changed nothing: older than the allowed lateness, or a redelivered duplicate. */
  ignored?: 'too_late' | 'duplicate' | 'out_of_order';
}

export interface EvaluateOptions {
  /** Readings up to this much older than the newest one still count (never backwards); older are ignored. */
  allowedLatenessMs: number;
}
