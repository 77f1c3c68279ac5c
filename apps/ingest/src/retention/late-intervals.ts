import type { Rollup } from '@citypulse/storage';

/**
 * Slack for a continuous query's own timing: InfluxDB starts it up to its run-interval (1 s) after
 * a boundary, and this process's clock may differ from InfluxDB's by a little. What is stored this
 * close to the last run covering its interval counts as late.
 */
export const LATE_MARGIN_MS = 10_000;

/**
 * When a rollup's continuous query last computes a whole interval: a run at t covers [t − FOR, t),
 * so the interval starting at S is covered whole by runs up to S + FOR.
 */
export function lastRunCovering(rollup: Rollup, intervalStartMs: number): number {
  return intervalStartMs + rollup.forMs;
}

/**
 * Readings stored at `storedMs` whose time is before this are in intervals of the rollup its
 * continuous query will not compute again (margin aside). One comparison per reading on the hot path.
 */
export function lateBefore(rollup: Rollup, storedMs: number): number {
  const lastCovered = Math.floor((storedMs + LATE_MARGIN_MS - rollup.forMs) / rollup.intervalMs) * rollup.intervalMs;
  return lastCovered + rollup.intervalMs;
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
