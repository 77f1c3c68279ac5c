import type { AlertSeverityName } from './severity.js';

/**
 * One level of an escalation: these channels, `afterSeconds` after the previous level (level 1: after the alert
 * opened).
 */
export interface EscalationLevel {
  afterSeconds: number;
  channels: string[];
  /** Also e-mail whoever is on call this week (the policy's rotation). */
  onCall?: boolean;
}

/** Who is on duty: `people` take turns weekly, from local midnight of `startDate` in `timeZone`. */
export interface OnCallRotation {
  /** The e-mail channel (its SMTP server and sender) used to reach the person on call. */
  channel: string;
  people: Array<{ name: string; email: string }>;
  /** YYYY-MM-DD: the first person's first day. */
  startDate: string;
  /** IANA zone, e.g. Asia/Shanghai: the week turns at local midnight there. */
  timeZone: string;
}

/**
 * A city's escalation for one severity: notify level 1 when an alert opens; while nobody has
 * acknowledged it, notify the next level after its delay; after the last level, notify it again
 * every `repeatSeconds` (0: never), at most `maxRepeats` times. Acknowledging or resolving stops it.
 */
export interface EscalationPolicy {
  city: string;
  severity: AlertSeverityName;
  levels: EscalationLevel[];
  repeatSeconds: number;
  maxRepeats: number;
  onCall?: OnCallRotation;
  updatedAt: string;
  updatedBy: string;
}

/**
 * Where escalation step `step` (0 = level 1) stands: which level it notifies, and when the next step is due (ms after
 * this one), if any.
 */
export function escalationStep(
  policy: { levels: ReadonlyArray<Pick<EscalationLevel, 'afterSeconds'>>; repeatSeconds: number; maxRepeats: number },
  step: number,
): { level: number; nextInMs?: number } {
  const last = policy.levels.length - 1;
  const level = Math.min(step, last);
  if (step < last) return { level, nextInMs: Math.round(policy.levels[step + 1].afterSeconds * 1000) };
  const repeatsDone = step - last;
  if (policy.repeatSeconds > 0 && repeatsDone < policy.maxRepeats)
    return { level, nextInMs: Math.round(policy.repeatSeconds * 1000) };
  return { level };
}
