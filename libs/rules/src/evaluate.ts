import { breaches, clears, worse } from './condition.js';
import type { EvaluateOptions, Evaluation, RuleDefinition, RuleState, Transition, ValueCondition } from './types.js';

/** Before any reading. lastEventMs 0 rather than -Infinity: the state is stored as JSON. */
export const INITIAL_STATE: RuleState = { phase: 'ok', lastEventMs: 0, count: 0 };

/** A rule evaluated per reading: threshold, band or rate (deadman rules are checked on a schedule). */
export type ValueRule = RuleDefinition & { condition: ValueCondition };

export function isValueRule(rule: RuleDefinition): rule is ValueRule {
  return rule.condition.kind !== 'deadman';
}

/**
 * One reading through one rule, on the reading's own time (event time), never wall time.
 *
 * Late data never flips an alert backwards: a reading older than the newest seen cannot raise,
 * resolve or re-raise. Within the allowed lateness it can only refine a pending breach's start
 * (a late breach reading that shows the breach began earlier; a late normal reading that shows it
 * was interrupted). Older than that, or an exact redelivery, it is ignored and says why.
 *
 * A rate rule compares the per-second rate since the previous reading instead of the value; a
 * late reading cannot be placed between two readings already folded in, so it is ignored.
 */
export function evaluate(
  rule: ValueRule,
  previous: RuleState | undefined,
  reading: { tsMs: number; value: number },
  options: EvaluateOptions,
): Evaluation {
  const state = previous ?? INITIAL_STATE;
  const { tsMs, value } = reading;
  if (tsMs < state.lastEventMs - options.allowedLatenessMs) return { state, ignored: 'too_late' };
  if (tsMs === state.lastEventMs && value === state.lastValue) return { state, ignored: 'duplicate' };
  if (rule.condition.kind === 'rate') return evaluateRate(rule, state, tsMs, value);
  if (tsMs < state.lastEventMs) return evaluateLate(rule, state, tsMs, value);
  return advance(rule, state, tsMs, value, value);
}

/** Rate per second since the previous reading; the first reading only sets the baseline. */
function evaluateRate(rule: ValueRule, state: RuleState, tsMs: number, value: number): Evaluation {
  if (tsMs <= state.lastEventMs) return { state, ignored: 'out_of_order' };
  if (state.lastValue === undefined || state.lastEventMs === 0)
    return { state: { ...state, lastEventMs: tsMs, lastValue: value, lastOkMs: tsMs } };
  const rate = (value - state.lastValue) / ((tsMs - state.lastEventMs) / 1000);
  const result = advance(rule, state, tsMs, rate, value);
  return { ...result, state: { ...result.state, lastValue: value } };
}

/**
 * An in-order reading: `observed` is what the condition compares (the value, or the rate),
 * `value` the reading itself. Pending → firing after forSeconds; firing → ok past the clear level.
 */
function advance(rule: ValueRule, state: RuleState, tsMs: number, observed: number, value: number): Evaluation {
  const next: RuleState = { ...state, lastEventMs: tsMs, lastValue: value };
  if (state.phase === 'firing') {
    if (clears(rule.condition, observed)) {
      return {
        state: { phase: 'ok', lastEventMs: tsMs, lastValue: value, lastOkMs: tsMs, count: 0 },
        transition: { kind: 'resolved', atMs: tsMs, value: observed },
      };
    }
    next.count = state.count + 1;
    next.peak = worse(rule.condition, state.peak ?? observed, observed);
    return { state: next, transition: { kind: 'updated', atMs: tsMs, value: observed } };
  }
  if (!breaches(rule.condition, observed)) {
    return { state: { ...next, phase: 'ok', since: undefined, lastOkMs: tsMs } };
  }
  const since = state.phase === 'pending' ? state.since! : tsMs;
  if (tsMs - since >= rule.forSeconds * 1000) return raise(next, tsMs, observed);
  return { state: { ...next, phase: 'pending', since } };
}

function raise(next: RuleState, atMs: number, value: number): Evaluation {
  return {
    state: { ...next, phase: 'firing', since: atMs, peak: value, count: 1 },
    transition: { kind: 'raised', atMs, value },
  };
}

/** A reading older than the newest seen, within the allowed lateness. */
function evaluateLate(rule: ValueRule, state: RuleState, tsMs: number, value: number): Evaluation {
  if (state.phase !== 'pending') return { state };
  const inBreach = breaches(rule.condition, value);
  if (inBreach && tsMs < state.since! && tsMs > (state.lastOkMs ?? Number.NEGATIVE_INFINITY)) {
    // The breach began earlier than we knew: with the earlier start it may have lasted long enough.
    if (state.lastEventMs - tsMs >= rule.forSeconds * 1000) return raise(state, state.lastEventMs, state.lastValue!);
    return { state: { ...state, since: tsMs } };
  }
  if (!inBreach && tsMs > state.since!) {
    // The breach was interrupted after it began: it has only held since the newest reading.
    return { state: { ...state, since: state.lastEventMs, lastOkMs: tsMs } };
  }
  return { state };
}

/** Folds readings (any order) through a rule in event-time order; returns the last state and every transition. */
export function evaluateBatch(
  rule: ValueRule,
  previous: RuleState | undefined,
  readings: Array<{ tsMs: number; value: number }>,
  options: EvaluateOptions,
): { state: RuleState; transitions: Transition[] } {
  let state = previous;
  const transitions = [];
  for (const reading of [...readings].sort((a, b) => a.tsMs - b.tsMs)) {
    const result = evaluate(rule, state, reading, options);
    state = result.state;
    if (result.transition) transitions.push(result.transition);
  }
  return { state: state ?? INITIAL_STATE, transitions };
}
