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
 * Intervals of a rollup (per measurement) to compute again, each with when it was last noted. Pure.
 * Taken only once quiet: a backlog drained after an outage stores an interval's readings over many
 * batches, and a minute of a busy measurement is millions of points, so it is recomputed once,
 * after its last late reading, not once per batch.
 */
export class LateIntervals {
  private readonly noted = new Map<string, Map<number, number>>();

  constructor(private readonly intervalMs: number) {}

  note(measurement: string, ms: number, nowMs: number): void {
    let intervals = this.noted.get(measurement);
    if (!intervals) this.noted.set(measurement, (intervals = new Map<number, number>()));
    intervals.set(Math.floor(ms / this.intervalMs) * this.intervalMs, nowMs);
  }

  get size(): number {
    let size = 0;
    for (const intervals of this.noted.values()) size += intervals.size;
    return size;
  }

  /**
   * The intervals last noted before `quietSinceMs` (all without it), as ranges of consecutive
   * intervals per measurement; forgets them.
   */
  take(quietSinceMs = Number.POSITIVE_INFINITY): LateRange[] {
    const ranges: LateRange[] = [];
    for (const [measurement, intervals] of this.noted) {
      const quiet = [...intervals].filter(([, notedMs]) => notedMs < quietSinceMs).map(([start]) => start);
      quiet.sort((a, b) => a - b);
      for (const start of quiet) intervals.delete(start);
      let from = quiet[0];
      for (let i = 1; i <= quiet.length; i++) {
        if (i < quiet.length && quiet[i] === quiet[i - 1] + this.intervalMs) continue;
        ranges.push({ measurement, fromMs: from, toMs: quiet[i - 1] + this.intervalMs });
        from = quiet[i];
      }
      if (intervals.size === 0) this.noted.delete(measurement);
    }
    return ranges;
  }

  /** Notes again, as of `nowMs`, the ranges a failed repair took, so a later one tries them again. */
  restore(ranges: readonly LateRange[], nowMs: number): void {
    for (const { measurement, fromMs, toMs } of ranges)
      for (let start = fromMs; start < toMs; start += this.intervalMs) this.note(measurement, start, nowMs);
  }
}
