import { lastComputedAfterMs, type Rollup } from '@citypulse/storage';

/**
 * Slack for a rollup's schedule: a continuous query starts up to its run-interval (1 s) after a
 * boundary, an ingest process's tick up to 5 s after it is due, and clocks differ by a little. What
 * is stored this close to the last computation of its interval counts as late.
 */
export const LATE_MARGIN_MS = 10_000;

/**
 * Readings stored at `storedMs` whose time is before this are in intervals of the rollup its
 * schedule will not compute again (margin aside). One comparison per reading on the hot path.
 */
export function lateBefore(rollup: Rollup, storedMs: number): number {
  const { intervalMs } = rollup;
  const lastComputed = Math.floor((storedMs + LATE_MARGIN_MS - lastComputedAfterMs(rollup)) / intervalMs) * intervalMs;
  return lastComputed + intervalMs;
}

/** A range of whole intervals of one measurement whose rollup must be computed again. */
export interface LateRange {
  measurement: string;
  fromMs: number;
  toMs: number;
}

/**
 * Intervals (each given by a time within it) as ranges of consecutive intervals per measurement,
 * in order. Pure.
 */
export function groupRanges(
  intervalMs: number,
  intervals: ReadonlyArray<{ measurement: string; ms: number }>,
): LateRange[] {
  const starts = new Map<string, Set<number>>();
  for (const { measurement, ms } of intervals) {
    let set = starts.get(measurement);
    if (!set) starts.set(measurement, (set = new Set<number>()));
    set.add(Math.floor(ms / intervalMs) * intervalMs);
  }
  const ranges: LateRange[] = [];
  for (const measurement of [...starts.keys()].sort()) {
    const sorted = [...starts.get(measurement)!].sort((a, b) => a - b);
    let from = sorted[0];
    for (let i = 1; i <= sorted.length; i++) {
      if (i < sorted.length && sorted[i] === sorted[i - 1] + intervalMs) continue;
      ranges.push({ measurement, fromMs: from, toMs: sorted[i - 1] + intervalMs });
      from = sorted[i];
    }
  }
  return ranges;
}
