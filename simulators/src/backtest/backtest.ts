import type { DeviceRef, FieldValue } from '@citypulse/contracts';
import { decodeTelemetry, getDeviceType, type DeviceTypeDefinition, type TelemetryLimits } from '@citypulse/devices';
// The alerts worker's own decisions (decideDevice, recordTransition), not a re-implementation, so
// a backtest agrees with live alerts by construction, alert ids included.
import {
  deadmanSilenceUntil,
  decideDevice,
  isDeadmanRule,
  recordTransition,
  resolveRules,
  type AlertTransition,
  type DeviceRuleStates,
  type RaiseAlert,
  type RuleDefinition,
} from '@citypulse/rules';

/** An alert as the backtest saw it: what `GET /alerts` would show for it afterwards. */
export interface BacktestAlert extends Pick<
  RaiseAlert,
  'ruleId' | 'ruleKind' | 'deviceId' | 'deviceType' | 'city' | 'site' | 'field' | 'severity'
> {
  id: string;
  state: 'open' | 'resolved';
  openedAtMs: number;
  /** The value that raised it. */
  raisedValue: number;
  resolvedAtMs?: number;
  lastValue: number;
  peakValue: number;
  count: number;
}

export interface BacktestResult {
  alerts: BacktestAlert[];
  /** Every transition in event-time order: the timeline. */
  transitions: AlertTransition[];
  readings: { accepted: number; rejected: number };
  rejections: Record<string, number>;
}

export interface BacktestOptions {
  rules: readonly RuleDefinition[];
  /** As CP_ALERT_ALLOWED_LATENESS_MS. @defaultValue 60000 */
  allowedLatenessMs?: number;
  /** The broker's limits, as CP_MAX_*; defaults are the service's. */
  limits?: Partial<Omit<TelemetryLimits, 'receivedAtMs'>>;
}

export type Reading = [tsMs: number, values: Record<string, FieldValue>];

/**
 * What the broker would store from a publish received at `receivedAtMs`: its own decode → validate,
 * each accepted reading at the device's timestamp, or the receive time when it sent none.
 */
export function acceptedReadings(
  type: DeviceTypeDefinition,
  payload: string | Buffer,
  receivedAtMs: number,
  limits: Omit<TelemetryLimits, 'receivedAtMs'> = DEFAULT_LIMITS,
) {
  const decoded = decodeTelemetry(typeof payload === 'string' ? Buffer.from(payload) : payload, type, {
    ...limits,
    receivedAtMs,
  });
  const accepted: Reading[] = decoded.accepted.map((a) => [a.tsMs ?? receivedAtMs, a.values]);
  return { accepted, decoded };
}

/** The service's defaults (libs/config): what the broker would accept. */
export const DEFAULT_LIMITS: Omit<TelemetryLimits, 'receivedAtMs'> = {
  maxPayloadBytes: 65_536,
  maxBatchReadings: 1000,
  maxFutureSkewMs: 300_000,
  maxPastAgeMs: 7 * 24 * 3_600_000,
};

interface DeviceState {
  target: DeviceRef;
  rules: RuleDefinition[];
  deadman: RuleDefinition[];
  current: DeviceRuleStates;
}

/**
 * Runs traffic through a rule set without raising anything: the broker's decode → validate
 * (`decodeTelemetry`, the same function the broker runs, with the publish time as receive time),
 * then the alerts worker's `decideDevice` per device in arrival order. Alerts are collected in
 * memory with the ids the live service would give them.
 *
 * Deadman rules are judged on event time, exactly as the alerts worker judges the devices of a
 * replay session (`decideDevice` with `deadmanClock: 'event'`, `deadmanSilenceUntil` for the end):
 * a device quiet for the rule's window raises at the end of the window, its next reading resolves
 * it, and one still quiet a window before the end of the traffic stays open.
 */
export class Backtest {
  private readonly devices = new Map<string, DeviceState>();
  private readonly alerts = new Map<string, BacktestAlert>();
  private readonly transitions: AlertTransition[] = [];
  private readonly rejections: Record<string, number> = {};
  private accepted = 0;
  private rejected = 0;
  private readonly limits: Omit<TelemetryLimits, 'receivedAtMs'>;
  private readonly allowedLatenessMs: number;

  constructor(private readonly options: BacktestOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.allowedLatenessMs = options.allowedLatenessMs ?? 60_000;
  }

  /** One MQTT telemetry publish, as the broker would have received it at `receivedAtMs`. */
  publish(device: DeviceRef, payload: string | Buffer, receivedAtMs: number): void {
    const type = getDeviceType(device.deviceType);
    if (!type) {
      this.reject('unknown_device_type');
      return;
    }
    const { accepted, decoded } = acceptedReadings(type, payload, receivedAtMs, this.limits);
    for (const r of decoded.rejected) this.rejections[r.reason] = (this.rejections[r.reason] ?? 0) + 1;
    this.rejected += decoded.rejectedReadings;
    if (accepted.length > 0) this.readings(device, accepted);
  }

  /** Readings already accepted (from InfluxDB), in the device's arrival order. */
  readings(device: DeviceRef, readings: Reading[]): void {
    this.accepted += readings.length;
    const state = this.deviceState(device);
    this.decide(state, readings);
  }

  /** Ends the traffic at `endMs`: devices quiet since before their deadman window get the check's alert. */
  finish(endMs: number): BacktestResult {
    for (const state of this.devices.values()) this.silenceUntil(state, endMs);
    const alerts = [...this.alerts.values()].sort((a, b) => a.openedAtMs - b.openedAtMs || (a.id < b.id ? -1 : 1));
    const transitions = [...this.transitions].sort((a, b) => a.atMs - b.atMs);
    return {
      alerts,
      transitions,
      readings: { accepted: this.accepted, rejected: this.rejected },
      rejections: { ...this.rejections },
    };
  }

  private reject(reason: string): void {
    this.rejections[reason] = (this.rejections[reason] ?? 0) + 1;
    this.rejected++;
  }

  private deviceState(device: DeviceRef): DeviceState {
    let state = this.devices.get(device.deviceId);
    if (!state) {
      const target = { deviceId: device.deviceId, deviceType: device.deviceType, city: device.city, site: device.site };
      const rules = resolveRules(
        this.options.rules.filter((r) => r.deviceType === device.deviceType),
        target,
      );
      state = { target, rules, deadman: rules.filter(isDeadmanRule), current: { states: {}, outbox: [] } };
      this.devices.set(device.deviceId, state);
    }
    return state;
  }

  private decide(state: DeviceState, readings: Reading[]): void {
    // nowMs only matters on the wall clock; on event time each reading is its own "now".
    const newest = readings.reduce((max, [tsMs]) => Math.max(max, tsMs), 0);
    const next = decideDevice(state.current, state.target, state.rules, readings, {
      allowedLatenessMs: this.allowedLatenessMs,
      nowMs: newest,
      deadmanClock: 'event',
    });
    this.apply(next.outbox);
    state.current = { states: next.states, outbox: [] };
  }

  /**
   * The end of the traffic: a device quiet for a rule's window before `endMs` raises, as the alerts worker does when a
   * replay session ends.
   */
  private silenceUntil(state: DeviceState, endMs: number): void {
    const outbox: AlertTransition[] = [];
    for (const rule of state.deadman) {
      const stored = state.current.states[rule.id];
      const result = isDeadmanRule(rule) ? deadmanSilenceUntil(rule, stored?.rule, endMs) : undefined;
      if (!result) continue;
      const next = { ...stored, rule: result.state };
      if (result.transition) recordTransition(outbox, next, rule, state.target, result.transition, result.state);
      state.current.states[rule.id] = next;
    }
    this.apply(outbox);
  }

  private apply(transitions: AlertTransition[]): void {
    for (const t of transitions) {
      this.transitions.push(t);
      if (t.kind === 'raised') {
        this.alerts.set(t.alertId, {
          id: t.alertId,
          ruleId: t.ruleId,
          ruleKind: t.ruleKind,
          deviceId: t.deviceId,
          deviceType: t.deviceType,
          city: t.city,
          site: t.site,
          field: t.field,
          severity: t.severity,
          state: 'open',
          openedAtMs: t.atMs,
          raisedValue: t.value,
          lastValue: t.value,
          peakValue: t.peak,
          count: t.count,
        });
        continue;
      }
      const alert = this.alerts.get(t.alertId);
      if (!alert || alert.state === 'resolved') continue;
      alert.lastValue = t.value;
      if (t.kind === 'updated') {
        alert.peakValue = t.peak;
        alert.count = t.count;
      } else {
        alert.state = 'resolved';
        alert.resolvedAtMs = t.atMs;
      }
    }
  }
}
