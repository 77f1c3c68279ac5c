import { rollupNamed } from '@citypulse/storage';

const MINUTE_MS = 60_000;
const MINUTE_ROLLUP = rollupNamed('1m');

/**
 * Slack for the continuous query's own timing: InfluxDB starts it up to its run-interval (1 s) after
 * a minute boundary, and this process's clock may differ from InfluxDB's by a little. A reading
 * stored this close to the last run that covers its minute counts as late.
 */
export const LATE_MARGIN_MS = 10_000;

/** A range of whole minutes of one measurement whose rollups must be computed again. */
export interface LateRange {
  measurement: string;
  fromMs: number;
  toMs: number;
}

/**
 * The minutes holding readings stored too late for the 1-minute continuous query, which recomputes
 * a minute for the last time FOR after it began (rollups.ts). Pure: fed each stored batch, taken
 * from by the repair (late-rollups.service.ts), which recomputes the minutes and their hours.
 */
export class LateMinutes {
  private readonly minutes = new Map<string, Set<number>>();

  /**
   * Readings of a measurement whose minute began before this time are late when stored at
   * `storedMs`: the minute's last continuous-query run was at or before `storedMs` (margin aside).
   * One comparison per reading on the hot path.
   */
  static lateBefore(storedMs: number): number {
    const lastCoveredMinute = Math.floor((storedMs - MINUTE_ROLLUP.forMs + LATE_MARGIN_MS) / MINUTE_MS) * MINUTE_MS;
    return lastCoveredMinute + MINUTE_MS;
  }

  note(measurement: string, readingMs: number): void {
    let minutes = this.minutes.get(measurement);
    if (!minutes) this.minutes.set(measurement, (minutes = new Set()));
    minutes.add(Math.floor(readingMs / MINUTE_MS) * MINUTE_MS);
  }

  get size(): number {
    let size = 0;
    for (const minutes of this.minutes.values()) size += minutes.size;
    return size;
  }

  /** The minutes noted so far as ranges of consecutive minutes per measurement; forgets them. */
  take(): LateRange[] {
    const ranges: LateRange[] = [];
    for (const [measurement, minutes] of this.minutes) {
      const sorted = [...minutes].sort((a, b) => a - b);
      let from = sorted[0];
      for (let i = 1; i <= sorted.length; i++) {
        if (i < sorted.length && sorted[i] === sorted[i - 1] + MINUTE_MS) continue;
        ranges.push({ measurement, fromMs: from, toMs: sorted[i - 1] + MINUTE_MS });
        from = sorted[i];
      }
    }
    this.minutes.clear();
    return ranges;
  }

  /** Puts back ranges a failed repair took, so the next one tries them again. */
  restore(ranges: readonly LateRange[]): void {
    for (const { measurement, fromMs, toMs } of ranges)
      for (let minute = fromMs; minute < toMs; minute += MINUTE_MS) this.note(measurement, minute);
  }
}
