import type { RuleDefinition } from '@citypulse/rules';
import type { BacktestAlert, BacktestResult } from './backtest.js';

export interface RuleCount {
  ruleId: string;
  /** Alerts raised (each episode once). */
  raised: number;
  resolved: number;
  /** Still open at the end of the traffic. */
  open: number;
  devices: number;
}

export interface TimelineEntry {
  atMs: number;
  kind: 'raised' | 'resolved';
  ruleId: string;
  deviceId: string;
  value: number;
}

export interface AlertChange {
  candidate: BacktestAlert;
  current: BacktestAlert;
}

export interface BacktestReport {
  /** What the candidate rules would have raised, per rule. */
  counts: RuleCount[];
  /** Raised and resolved, in event-time order. */
  timeline: TimelineEntry[];
  /** Per rule: the current rules' count beside the candidate's. */
  comparison: Array<{ ruleKey: string; current: number; candidate: number }>;
  /** Episodes only the candidate raises, only the current rules raise, or both at different times. */
  added: BacktestAlert[];
  removed: BacktestAlert[];
  changed: AlertChange[];
  readings: BacktestResult['readings'];
  rejections: BacktestResult['rejections'];
}

/**
 * Compares what a candidate rule set would have raised with what the current rules raise on the
 * same traffic. Alerts are matched per rule key (a candidate rule replacing a catalogue rule
 * shares its key) and device, by overlapping open intervals: a matched pair with other open or
 * resolve times is a change, an unmatched one was added or removed.
 */
export function compareBacktests(
  candidate: BacktestResult,
  current: BacktestResult,
  candidateRules: readonly RuleDefinition[],
  currentRules: readonly RuleDefinition[],
  endMs: number,
): BacktestReport {
  const keyOf = ruleKeys([...currentRules, ...candidateRules]);
  const added: BacktestAlert[] = [];
  const changed: AlertChange[] = [];
  const unmatched = new Set(current.alerts);
  const byEpisode = new Map<string, BacktestAlert[]>();
  for (const alert of current.alerts) {
    const k = `${keyOf(alert.ruleId)}|${alert.deviceId}`;
    byEpisode.set(k, [...(byEpisode.get(k) ?? []), alert]);
  }
  for (const alert of candidate.alerts) {
    const match = (byEpisode.get(`${keyOf(alert.ruleId)}|${alert.deviceId}`) ?? []).find(
      (c) => unmatched.has(c) && overlaps(alert, c, endMs),
    );
    if (!match) {
      added.push(alert);
      continue;
    }
    unmatched.delete(match);
    if (match.openedAtMs !== alert.openedAtMs || match.resolvedAtMs !== alert.resolvedAtMs)
      changed.push({ candidate: alert, current: match });
  }
  const keys = new Set([...candidate.alerts, ...current.alerts].map((a) => keyOf(a.ruleId)));
  const perKey = (alerts: BacktestAlert[], key: string) => alerts.filter((a) => keyOf(a.ruleId) === key).length;
  return {
    counts: countByRule(candidate.alerts),
    timeline: timeline(candidate.alerts),
    comparison: [...keys].sort().map((ruleKey) => ({
      ruleKey,
      current: perKey(current.alerts, ruleKey),
      candidate: perKey(candidate.alerts, ruleKey),
    })),
    added,
    removed: current.alerts.filter((a) => unmatched.has(a)),
    changed,
    readings: candidate.readings,
    rejections: candidate.rejections,
  };
}

export function countByRule(alerts: readonly BacktestAlert[]): RuleCount[] {
  const counts = new Map<string, RuleCount & { ids: Set<string> }>();
  for (const a of alerts) {
    const c = counts.get(a.ruleId) ?? {
      ruleId: a.ruleId,
      raised: 0,
      resolved: 0,
      open: 0,
      devices: 0,
      ids: new Set<string>(),
    };
    c.raised++;
    if (a.state === 'resolved') c.resolved++;
    else c.open++;
    c.ids.add(a.deviceId);
    c.devices = c.ids.size;
    counts.set(a.ruleId, c);
  }
  return [...counts.values()]
    .map(({ ids: _ids, ...count }) => count)
    .sort((a, b) => b.raised - a.raised || (a.ruleId < b.ruleId ? -1 : 1));
}

export function timeline(alerts: readonly BacktestAlert[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const a of alerts) {
    entries.push({ atMs: a.openedAtMs, kind: 'raised', ruleId: a.ruleId, deviceId: a.deviceId, value: a.raisedValue });
    if (a.resolvedAtMs !== undefined)
      entries.push({
        atMs: a.resolvedAtMs,
        kind: 'resolved',
        ruleId: a.ruleId,
        deviceId: a.deviceId,
        value: a.lastValue,
      });
  }
  return entries.sort((a, b) => a.atMs - b.atMs || (a.kind === b.kind ? 0 : a.kind === 'resolved' ? -1 : 1));
}

function ruleKeys(rules: readonly RuleDefinition[]): (ruleId: string) => string {
  const keys = new Map(rules.map((r) => [r.id, r.key ?? r.id]));
  return (ruleId) => keys.get(ruleId) ?? ruleId;
}

function overlaps(a: BacktestAlert, b: BacktestAlert, endMs: number): boolean {
  return a.openedAtMs <= (b.resolvedAtMs ?? endMs) && b.openedAtMs <= (a.resolvedAtMs ?? endMs);
}
