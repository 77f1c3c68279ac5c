import type { MaintenanceWindow } from './maintenance-window.js';
import { ZonedCron } from './zoned-cron.js';

/** One opening of a window: open from `startMs` (inclusive) to `endMs` (exclusive). */
export interface Opening {
  startMs: number;
  endMs: number;
}

/**
 * When a window is open. Working out a recurring window's start times costs tens of microseconds
 * (wall-clock times through Intl), so each schedule remembers the last span it worked out — an
 * opening, or a stretch without one — and answers any time inside that span at once: the rule
 * engine and the API ask about "now" or about readings seconds apart, nearly always in one span.
 */
export class WindowSchedule {
  private readonly boundStartMs: number;
  private readonly boundEndMs: number;
  private readonly cron?: ZonedCron;
  private readonly durationMs: number;
  private known?: { fromMs: number; untilMs: number; opening?: Opening };

  constructor(readonly window: MaintenanceWindow) {
    this.boundStartMs = window.startsAt ? Date.parse(window.startsAt) : -Infinity;
    this.boundEndMs = window.endsAt ? Date.parse(window.endsAt) : Infinity;
    const { recurrence } = window;
    this.cron = recurrence && new ZonedCron(recurrence.cron, recurrence.timeZone);
    this.durationMs = (recurrence?.durationMinutes ?? 0) * 60_000;
  }

  /** The opening that contains `atMs`, if the window is open then. */
  openingAt(atMs: number): Opening | undefined {
    const known = this.known;
    if (known && atMs >= known.fromMs && atMs < known.untilMs) return known.opening;
    const answer = this.compute(atMs);
    this.known = answer;
    return answer.opening;
  }

  /** The first opening that starts after `afterMs` (for "upcoming"); undefined when there is none. */
  nextOpening(afterMs: number): Opening | undefined {
    if (!this.cron)
      return this.boundStartMs > afterMs ? { startMs: this.boundStartMs, endMs: this.boundEndMs } : undefined;
    const start = this.cron.firstStartAfter(Math.max(afterMs, this.boundStartMs - 1));
    if (start === undefined || start >= this.boundEndMs) return undefined;
    return { startMs: start, endMs: Math.min(start + this.durationMs, this.boundEndMs) };
  }

  private compute(atMs: number): { fromMs: number; untilMs: number; opening?: Opening } {
    if (atMs < this.boundStartMs) return { fromMs: -Infinity, untilMs: this.boundStartMs };
    if (atMs >= this.boundEndMs) return { fromMs: this.boundEndMs, untilMs: Infinity };
    if (!this.cron) {
      const opening = { startMs: this.boundStartMs, endMs: this.boundEndMs };
      return { fromMs: opening.startMs, untilMs: opening.endMs, opening };
    }
    // Only a start within the last duration can hold the window open now; the latest such start
    // opens the latest-ending occurrence (all last equally long).
    const lastStart = this.cron.latestStartAtOrBefore(atMs, atMs - this.durationMs);
    if (lastStart !== undefined) {
      const opening = {
        startMs: Math.max(lastStart, this.boundStartMs),
        endMs: Math.min(lastStart + this.durationMs, this.boundEndMs),
      };
      return { fromMs: opening.startMs, untilMs: opening.endMs, opening };
    }
    const nextStart = this.cron.firstStartAfter(atMs) ?? Infinity;
    return { fromMs: atMs, untilMs: Math.min(nextStart, this.boundEndMs) };
  }
}
