import type { JobCounts } from './job.js';

/** What the engine knows of a job when it decides its next step. */
export interface RolloutView {
  state: 'running' | 'paused';
  total: number;
  released: number;
  counts: JobCounts;
  initialCount: number;
  ratePerMinute: number;
  credit: number;
  lastTickMs: number;
  rateStarted: boolean;
  abortFailurePercent: number;
  successPercent: number;
  deadlineMs: number;
}

export type RolloutStep =
  | { action: 'abort'; reason: string }
  | { action: 'finish'; state: 'completed' | 'failed'; reason: string }
  /** Take `count` more devices (possibly 0, to record the credit and the phase). */
  | { action: 'release'; count: number; credit: number; rateStarted: boolean }
  | { action: 'wait' };

/**
 * The rollout's next step, decided from the counters alone (pure, unit-tested):
 *
 * 1. abort when more than `abortFailurePercent` % of the devices reached so far failed or timed out
 *    (before the deadline);
 * 2. finish when every device was reached (or the deadline passed) and none is still in flight:
 *    `completed` when at least `successPercent` % of the selection succeeded, else `failed`;
 * 3. nothing new after the deadline or while paused;
 * 4. the first step releases `initialCount` devices at once; the rate phase starts only when every
 *    one of them sent has an outcome (offline ones, still waiting, do not hold it up);
 * 5. then `ratePerMinute`, accrued per elapsed millisecond as credit, at most `maxBatch` a tick.
 */
export function planRollout(job: RolloutView, nowMs: number, maxBatch: number): RolloutStep {
  const c = job.counts;
  const bad = c.failed + c['timed-out'];
  const pastDeadline = nowMs >= job.deadlineMs;
  // After the deadline nothing is left to spare: devices still offline then are timed out, which is not a reason to
  // abort.
  if (!pastDeadline && job.released > 0 && bad * 100 > job.abortFailurePercent * job.released) {
    return {
      action: 'abort',
      reason: `${bad} of ${job.released} devices reached failed or timed out, more than ${job.abortFailurePercent} %`,
    };
  }
  const inFlight = c.dispatching + c.waiting + c['in-progress'];
  if ((job.released === job.total || pastDeadline) && inFlight === 0) {
    const met = c.succeeded * 100 >= job.successPercent * job.total;
    const why =
      `${c.succeeded} of ${job.total} devices succeeded (criteria: ${job.successPercent} ` +
      `%)${job.released < job.total ? `; the deadline passed before ${job.total - job.released} were reached` : ''}`;
    return { action: 'finish', state: met ? 'completed' : 'failed', reason: why };
  }
  if (pastDeadline || job.state === 'paused' || job.released === job.total) return { action: 'wait' };

  if (!job.rateStarted) {
    if (job.released < job.initialCount) {
      return {
        action: 'release',
        count: Math.min(job.initialCount - job.released, maxBatch),
        credit: 0,
        rateStarted: false,
      };
    }
    if (c.dispatching + c['in-progress'] > 0) return { action: 'wait' };
    return { action: 'release', count: 0, credit: 0, rateStarted: true };
  }
  const accrued = job.credit + (job.ratePerMinute * Math.max(0, nowMs - job.lastTickMs)) / 60_000;
  const count = Math.min(Math.floor(accrued), job.total - job.released, maxBatch);
  // Credit beyond one batch is not carried over: a long pause or a stalled worker must not unleash a burst.
  return { action: 'release', count, credit: Math.min(accrued - count, maxBatch), rateStarted: true };
}
