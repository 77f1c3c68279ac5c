import type { Evaluation, RuleDefinition, RuleState, SilenceCause, SilenceStatus } from './types.js';
import { INITIAL_STATE } from './evaluate.js';

export type DeadmanCondition = Extract<RuleDefinition['condition'], { kind: 'deadman' }>;
export type DeadmanRule = RuleDefinition & { condition: DeadmanCondition };

export function isDeadmanRule(rule: RuleDefinition): rule is DeadmanRule {
  return rule.condition.kind === 'deadman';
}

/** What the deadman check knows about a device at `nowMs` (wall time: silence has no event time). */
export interface DeadmanObservation {
  nowMs: number;
  /** Newest reading's event time, capped at the time it was stored (a fast clock cannot hide silence); 0 if none. */
  lastSeenMs: number;
  /** From the broker's presence record; undefined when unknown (then only the readings count). */
  presence?: { online: boolean; changedAtMs?: number };
}

/**
 * A reading counts as late once the type's reporting interval has passed by half again: one
 * missed report is "late", not yet an alert; deadman rules decide when silence is an alert.
 */
export const LATE_FACTOR = 1.5;

/** How a device stands against its type's reporting interval (see SilenceStatus). */
export function silenceStatus(
  observation: DeadmanObservation,
  reportingIntervalS: number,
  silentAfterS = reportingIntervalS * 3,
): SilenceStatus {
  if (observation.presence && !observation.presence.online) return 'disconnected';
  const quietMs = observation.nowMs - observation.lastSeenMs;
  if (quietMs >= silentAfterS * 1000) return 'silent';
  if (quietMs > reportingIntervalS * LATE_FACTOR * 1000) return 'late';
  return 'reporting';
}

/**
 * One deadman rule against one device. 'no-data': no reading for afterSeconds, whatever the
 * connection (the alert's cause tells disconnected from connected-but-silent). 'offline':
 * disconnected for afterSeconds. The state's lastEventMs is the newest reading seen, and only
 * grows: a backfilled old reading never makes a silent device look alive.
 */
export function evaluateDeadman(
  rule: DeadmanRule,
  previous: RuleState | undefined,
  observation: DeadmanObservation,
): Evaluation {
  const state = previous ?? INITIAL_STATE;
  const lastSeenMs = Math.max(state.lastEventMs, observation.lastSeenMs);
  const quietS = Math.max(0, Math.round((observation.nowMs - lastSeenMs) / 1000));
  const cause: SilenceCause = observation.presence && !observation.presence.online ? 'disconnected' : 'silent';
  const next: RuleState = { ...state, lastEventMs: lastSeenMs };
  const breached = deadmanBreached(rule.condition, observation, lastSeenMs);

  if (state.phase === 'firing') {
    if (breached === false) {
      return {
        state: { phase: 'ok', lastEventMs: lastSeenMs, count: 0 },
        transition: { kind: 'resolved', atMs: observation.nowMs, value: quietS },
      };
    }
    const stillFiring: RuleState = {
      ...next,
      count: state.count + 1,
      lastValue: quietS,
      peak: Math.max(state.peak ?? 0, quietS),
      cause,
    };
    // Only a change of cause is news for the alert; how long the silence lasts follows from when it opened.
    // (Updating every open deadman alert on every check would cost a write per silent device per tick.)
    if (cause === state.cause) return { state: stillFiring };
    return { state: stillFiring, transition: { kind: 'updated', atMs: observation.nowMs, value: quietS, cause } };
  }
  if (breached !== true) return { state: { ...next, phase: 'ok' } };
  return {
    state: { ...next, phase: 'firing', since: observation.nowMs, lastValue: quietS, peak: quietS, count: 1, cause },
    transition: { kind: 'raised', atMs: observation.nowMs, value: quietS, cause },
  };
}

/** True/false when the observation decides; undefined when it cannot tell ('offline' without presence). */
function deadmanBreached(
  condition: DeadmanCondition,
  observation: DeadmanObservation,
  lastSeenMs: number,
): boolean | undefined {
  const windowMs = condition.afterSeconds * 1000;
  if ((condition.when ?? 'no-data') === 'no-data') return observation.nowMs - lastSeenMs >= windowMs;
  if (!observation.presence) return undefined;
  if (observation.presence.online) return false;
  const offlineSinceMs = observation.presence.changedAtMs ?? lastSeenMs;
  return observation.nowMs - offlineSinceMs >= windowMs;
}

/**
 * Readings reaching a deadman rule. They only ever clear: raising is the scheduled check's job.
 * The device is alive if the newest is fresh (within the window of `nowMs`). A reading means the
 * device was connected when it sent it — but only a fresh one says so now, so an old backfilled
 * batch leaves presence unknown and the alert open.
 */
export function deadmanReadings(
  rule: DeadmanRule,
  previous: RuleState | undefined,
  newestTsMs: number,
  nowMs: number,
): Evaluation {
  const lastSeenMs = Math.min(newestTsMs, nowMs);
  const state = previous ?? INITIAL_STATE;
  if (state.phase !== 'firing') return { state: { ...state, lastEventMs: Math.max(state.lastEventMs, lastSeenMs) } };
  const fresh = nowMs - lastSeenMs < rule.condition.afterSeconds * 1000;
  return evaluateDeadman(rule, previous, { nowMs, lastSeenMs, presence: fresh ? { online: true } : undefined });
}

/**
 * The scheduled check played on event time, for traffic whose clock is not the wall clock (a
 * replay, a backtest): a device whose newest reading is at least a window older than `untilMs`
 * (its next reading's time, or the end of the traffic) raises as the check would have at the end
 * of the window — at lastEventMs + afterSeconds, having been quiet exactly that long. Only
 * 'no-data' rules: a replay's connection says nothing of whether the captured device was
 * connected, so 'offline' rules cannot be judged on event time. Undefined when nothing changes.
 */
export function deadmanSilenceUntil(
  rule: DeadmanRule,
  previous: RuleState | undefined,
  untilMs: number,
): Evaluation | undefined {
  if (!previous || previous.phase === 'firing' || previous.lastEventMs <= 0) return undefined;
  if ((rule.condition.when ?? 'no-data') !== 'no-data') return undefined;
  const windowMs = rule.condition.afterSeconds * 1000;
  if (untilMs - previous.lastEventMs < windowMs) return undefined;
  return evaluateDeadman(rule, previous, { nowMs: previous.lastEventMs + windowMs, lastSeenMs: previous.lastEventMs });
}
