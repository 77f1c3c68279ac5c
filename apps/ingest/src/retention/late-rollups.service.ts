import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import type { FeedDevice } from '@citypulse/contracts';
import { getDeviceType } from '@citypulse/devices';
import type { Logger } from '@citypulse/observability';
import {
  backfillRollups,
  type InfluxQueryClient,
  rollupNamed,
  type RetentionPlan,
  type RollupName,
} from '@citypulse/storage';
import { rollupQueryClient } from './rollup-query-client.js';
import { LateIntervals, lateBefore, type LateRange } from './late-intervals.js';

/**
 * How often late intervals are looked at, and how long one must have had no late reading before it
 * is recomputed (LateIntervals: once per burst, not once per batch).
 */
export const LATE_REPAIR_INTERVAL_MS = 10_000;

const MINUTELY = rollupNamed('1m');
const HOURLY = rollupNamed('1h');

/**
 * Keeps the rollups right for readings stored after their minute was computed (MinuteRollups, 30 s
 * after it ended; rollups.ts): the ingest process that stored them recomputes their minutes once
 * no more late readings arrive for them, and — when the hourly query will not look at it again
 * either (two hours after it began) — the hour holding them, from its minutes. Runs only once
 * RetentionSetup has set the rollups up (InfluxDB 1.x, CP_RETENTION_MANAGE): until then late
 * readings are not gathered.
 *
 * What a stop or a crash leaves: a stop recomputes everything gathered; a crash forgets it (the
 * late minutes of the last seconds, or of a backlog being drained) — their raw readings are
 * stored, and `npm run rollups -- backfill` recomputes their rollups. With several ingest
 * processes each recomputes the minutes it stored late readings in (the same points again: harmless).
 */
@Injectable()
export class LateRollups {
  private readonly minutes = new LateIntervals(MINUTELY.intervalMs);
  private readonly hours = new LateIntervals(HOURLY.intervalMs);
  private readonly client: InfluxQueryClient;
  private plan?: RetentionPlan;
  private timer?: NodeJS.Timeout;
  private repairing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(LOGGER) logger: Logger) {
    this.client = rollupQueryClient(config);
    this.logger = logger.child({ component: 'late-rollups' });
  }

  /** From now on, gathers late readings and recomputes their rollups as `plan` says. */
  start(plan: RetentionPlan): void {
    this.plan = plan;
    this.timer ??= setInterval(() => void this.repair(), LATE_REPAIR_INTERVAL_MS);
    this.timer.unref();
  }

  /** A stored batch's readings, stored at `storedMs`: notes the minutes of those stored too late. */
  stored(devices: readonly FeedDevice[], storedMs: number): void {
    if (!this.plan) return;
    const before = lateBefore(MINUTELY, storedMs);
    for (const device of devices) {
      for (const ms of device.times) {
        if (ms >= before) continue;
        const measurement = getDeviceType(device.deviceType)?.measurement;
        if (measurement) this.minutes.note(measurement, ms, storedMs);
      }
    }
  }

  /**
   * Recomputes what has gone quiet (`everything`: all gathered), one repair at a time; a failed
   * range is kept for the next one.
   */
  repair(everything = false): Promise<void> {
    this.repairing = this.repairing
      .then(() => this.repairNow(everything))
      .catch((err: unknown) => this.logger.error({ err }, 'recomputing the rollups of late readings failed'));
    return this.repairing;
  }

  /** Stops the timer after recomputing everything gathered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.repair(true);
  }

  private async repairNow(everything: boolean): Promise<void> {
    if (!this.plan || this.minutes.size + this.hours.size === 0) return;
    const quietSince = () => (everything ? Number.POSITIVE_INFINITY : Date.now() - LATE_REPAIR_INTERVAL_MS);
    const minutes = await this.recompute('1m', this.minutes, this.minutes.take(quietSince()));
    for (const range of minutes) {
      // The hourly query recomputes an hour until two hours after it began: an older one is ours.
      const hoursBefore = lateBefore(HOURLY, Date.now());
      const firstHour = Math.floor(range.fromMs / HOURLY.intervalMs) * HOURLY.intervalMs;
      for (let hour = firstHour; hour < Math.min(range.toMs, hoursBefore); hour += HOURLY.intervalMs)
        this.hours.note(range.measurement, hour, Date.now());
    }
    const hours = await this.recompute('1h', this.hours, this.hours.take(everything ? undefined : quietSince()));
    const count = (ranges: LateRange[], ms: number) => ranges.reduce((n, r) => n + (r.toMs - r.fromMs) / ms, 0);
    if (minutes.length + hours.length > 0)
      this.logger.info(
        { minutes: count(minutes, MINUTELY.intervalMs), hours: count(hours, HOURLY.intervalMs) },
        'rollups of late readings recomputed',
      );
  }

  /** One rollup over the ranges; the ranges recomputed (a failed one is noted again for later). */
  private async recompute(rollup: RollupName, intervals: LateIntervals, ranges: LateRange[]): Promise<LateRange[]> {
    const plan = this.plan!;
    const done: LateRange[] = [];
    for (const range of ranges) {
      const fields = plan.measurements[range.measurement];
      if (!fields) continue;
      try {
        await backfillRollups(this.client, {
          database: plan.database,
          measurements: { [range.measurement]: fields },
          fromMs: range.fromMs,
          toMs: range.toMs,
          rollups: [rollup],
        });
        done.push(range);
      } catch (err) {
        intervals.restore([range], Date.now());
        this.logger.warn({ err, rollup, ...range }, 'recomputing the rollups of late readings failed; retrying');
      }
    }
    return done;
  }
}
