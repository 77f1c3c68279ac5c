import type { DeviceReadings } from '@citypulse/contracts';
import type { RuleDefinition } from './types.js';
import { breaches } from './condition.js';
import { evaluate, type ValueRule } from './evaluate.js';
import { deadmanReadings, deadmanSilenceUntil, isDeadmanRule } from './deadman.js';
import type { RuleTarget } from './resolve.js';
import type { DeviceRuleStates } from './alert-transition.js';
import { recordTransition } from './outbox.js';

export interface DecideOptions {
  allowedLatenessMs: number;
  /** Wall time of the decision: only deadman rules use it, to tell a fresh reading from a backfilled one. */
  nowMs: number;
  /**
   * Which clock the device's silence is judged on. 'wall' (default): a real device — the scheduled
   * check raises, a fresh reading clears. 'event': traffic on its own clock (a replay session): each
   * reading is "now" for the deadman rules, and a gap of a window or more between two readings
   * raises (at the gap's start + window) before the later reading resolves — what the check would
   * have done had the traffic been live, and what a backtest does.
   */
  deadmanClock?: 'wall' | 'event';
}

/**
 * Folds a device's new readings (in event-time order) through every rule that applies to it.
 * Pure: given the stored states it returns the next states and appends the alert transitions
 * to the outbox; the caller stores both atomically.
 */
export function decideDevice(
  current: DeviceRuleStates,
  target: RuleTarget,
  rules: RuleDefinition[],
  readings: DeviceReadings['readings'],
  options: DecideOptions,
): DeviceRuleStates {
  const ordered = [...readings].sort((a, b) => a[0] - b[0]);
  const states = { ...current.states };
  const outbox = [...current.outbox];
  for (const rule of rules) {
    let stored = states[rule.id];
    if (isDeadmanRule(rule)) {
      if (ordered.length === 0) continue;
      const newestMs = ordered[ordered.length - 1][0];
      const times = options.deadmanClock === 'event' ? ordered.map(([tsMs]) => tsMs) : [newestMs];
      for (const tsMs of times) {
        // On event time, the silence before a reading is decided first; on the wall clock that is the scheduled check's
        // job.
        const silence = options.deadmanClock === 'event' ? deadmanSilenceUntil(rule, stored?.rule, tsMs) : undefined;
        for (const result of [
          silence,
          deadmanReadings(
            rule,
            silence?.state ?? stored?.rule,
            tsMs,
            options.deadmanClock === 'event' ? tsMs : options.nowMs,
          ),
        ]) {
          if (!result) continue;
          stored = { ...stored, rule: result.state };
          if (result.transition) recordTransition(outbox, stored, rule, target, result.transition, result.state);
        }
      }
      states[rule.id] = stored!;
      continue;
    }
    const valueRule = rule as ValueRule;
    const series = numericSeries(ordered, rule.field);
    for (let i = 0; i < series.length; i++) {
      const [tsMs, value] = series[i];
      if (isQuiet(valueRule, stored?.rule.phase ?? 'ok', value, series[i + 1]?.[1])) continue;
      const result = evaluate(valueRule, stored?.rule, { tsMs, value }, options);
      stored = { ...stored, rule: result.state };
      if (result.transition) recordTransition(outbox, stored, rule, target, result.transition, result.state);
    }
    if (stored) states[rule.id] = stored;
  }
  return { states, outbox };
}

function numericSeries(readings: DeviceReadings['readings'], field: string): Array<[tsMs: number, value: number]> {
  const series: Array<[number, number]> = [];
  for (const [tsMs, values] of readings) {
    const value = values[field];
    if (typeof value === 'number') series.push([tsMs, value]);
  }
  return series;
}

/**
 * Most readings are normal. While a rule is ok, a normal reading changes only its clocks, and
 * the next reading evaluated sets them again — unless the next one breaches (then this one marks
 * when things were last normal) or there is none. Skipping those saves most evaluations (and
 * their allocations) at tens of thousands of readings per second, with identical results.
 * Not for rate rules: each reading is the baseline of the next one's rate.
 */
function isQuiet(rule: ValueRule, phase: string, value: number, nextValue: number | undefined): boolean {
  return (
    rule.condition.kind !== 'rate' &&
    phase === 'ok' &&
    nextValue !== undefined &&
    !breaches(rule.condition, value) &&
    !breaches(rule.condition, nextValue)
  );
}

/** How many of `readings` are no newer than the newest reading already folded into a rule state of the device. */
export function readingsOutOfOrder(current: DeviceRuleStates, readings: DeviceReadings['readings']): number {
  let newest = 0;
  for (const stored of Object.values(current.states)) newest = Math.max(newest, stored.rule.lastEventMs);
  let older = 0;
  for (const [tsMs] of readings) if (tsMs <= newest) older++;
  return older;
}
