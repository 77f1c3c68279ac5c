import { breaches, clears, worse } from './condition.js';
import type { EvaluateOptions, Evaluation, RuleDefinition, RuleState } from './types.js';

/** Before any reading. lastEventMs 0 rather than -Infinity: the state is stored as JSON. */
export const INITIAL_STATE: RuleState = { phase: 'ok', lastEventMs: 0, count: 0 };

/**
 * One reading through one rule, on the reading's own time (event time), never wall time.
 *
 * Late data never flips an alert backwards: a reading older than the newest seen cannot raise,
 * resolve or re-raise. Within the allowed lateness it can only refine a pending breach's start
 * (a late breach reading that shows the breach began earlier; a late normal reading that shows it
 * was interrupted). Older than that, or an exact redelivery, it is ignored and says why.
 */
export function evaluate(rule: RuleDefinition, previous: RuleState | undefined, reading: { tsMs: number; value: number }, options: EvaluateOptions): Evaluation {
  const state = previous ?? INITIAL_STATE;
  const { tsMs, value } = reading;
  if (tsMs < state.lastEventMs - options.allowedLatenessMs) return { state, ignored: 'too_late' };
  if (tsMs === state.lastEventMs && value === state.lastValue) return { state, ignored: 'duplicate' };
  if (tsMs < state.lastEventMs) return evaluateLate(rule, state, tsMs, value);

  const forMs = rule.forSeconds * 1000;
  const next: RuleState = { ...state, lastEventMs: tsMs, lastValue: value };
  if (state.phase === 'firing') {
    if (clears(rule.condition, value)) {
      return { state: { phase: 'ok', lastEventMs: tsMs, lastValue: value, lastOkMs: tsMs, count: 0 }, transition: { kind: 'resolved', atMs: tsMs, value } };
    }
    next.count = state.count + 1;
    next.peak = worse(rule.condition, state.peak ?? value, value);
    return { state: next, transition: { kind: 'updated', atMs: tsMs, value } };
  }
  if (!breaches(rule.condition, value)) {
    return { state: { ...next, phase: 'ok', since: undefined, lastOkMs: tsMs } };
  }
  const since = state.phase === 'pending' ? state.since! : tsMs;
  if (tsMs - since >= forMs) return raise(next, tsMs, value);
  return { state: { ...next, phase: 'pending', since } };
}

function raise(next: RuleState, atMs: number, value: number): Evaluation {
  return {
    state: { ...next, phase: 'firing', since: atMs, peak: value, count: 1 },
    transition: { kind: 'raised', atMs, value },
  };
}

/** A reading older than the newest seen, within the allowed lateness. */
function evaluateLate(rule: RuleDefinition, state: RuleState, tsMs: number, value: number): Evaluation {
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
  rule: RuleDefinition,
  previous: RuleState | undefined,
  readings: Array<{ tsMs: number; value: number }>,
  options: EvaluateOptions,
): { state: RuleState; transitions: NonNullable<Evaluation['transition']>[] } {
  let state = previous;
  const transitions = [];
  for (const reading of [...readings].sort((a, b) => a.tsMs - b.tsMs)) {
    const result = evaluate(rule, state, reading, options);
    state = result.state;
    if (result.transition) transitions.push(result.transition);
  }
  return { state: state ?? INITIAL_STATE, transitions };
}
