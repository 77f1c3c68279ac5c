import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import type { FeedDevice } from '@citypulse/contracts';
import { getDeviceType } from '@citypulse/devices';
import type { Logger } from '@citypulse/observability';
import type { RedisClient } from '@citypulse/redis';
import {
  backfillRollups,
  type InfluxQueryClient,
  rollupNamed,
  type RetentionPlan,
  type RollupName,
} from '@citypulse/storage';
import { rollupQueryClient } from './rollup-query-client.js';
import { lateBefore, type LateRange } from './late-intervals.js';
import { LateIntervalStore, type TakenRanges } from './late-interval-store.js';
import { minuteFinalAtMs } from './minute-coverage.js';

/**
 * How often late intervals are looked at, and how long one must have had no late reading before it
 * is recomputed: once per burst of late readings, not once per batch.
 */
export const LATE_REPAIR_INTERVAL_MS = 10_000;

const MINUTELY = rollupNamed('1m');
const HOURLY = rollupNamed('1h');

/** A claim on a late interval lasts this long: past it, a process that died recomputing it is taken over. */
const CLAIM_MS = 10 * 60_000;

/**
 * Keeps the rollups right for readings stored after their interval's rollup was written
 * (IngestedMinutes, 30 s after a minute ended, or MinuteRollups from raw readings; rollups.ts): the
 * ingest process that stores such a reading notes its minute in Redis (LateIntervalStore) before the
 * batch is acknowledged; any ingest process recomputes a noted minute from raw readings once no late
 * reading touched it for 10 s and the minute is final (minuteFinalAtMs), and — when
 * the hourly query will not look at it again either (two hours after it began) — the hour holding
 * it, from its minutes. Runs only once RetentionSetup has set the rollups up (InfluxDB 1.x,
 * CP_RETENTION_MANAGE): until then late readings are not noted.
 *
 * What a crash leaves: nothing forgotten. The notes are in Redis before the readings' batch is
 * acknowledged (a failed note fails the batch, which is read and stored again), and an interval
 * claimed by a process that died is taken over once its claim expires (CLAIM_MS).
 */
@Injectable()
export class LateRollups {
  private readonly client: InfluxQueryClient;
  private redis?: RedisClient;
  private minutes?: LateIntervalStore;
  private hours?: LateIntervalStore;
  private plan?: RetentionPlan;
  private timer?: NodeJS.Timeout;
  private repairing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.client = rollupQueryClient(config);
    this.logger = logger.child({ component: 'late-rollups' });
  }

  /** From now on, notes late readings and recomputes their rollups as `plan` says. */
  start(plan: RetentionPlan): void {
    this.plan = plan;
    if (!this.redis) {
      const redis = (this.redis = connectRedis(this.config, 'ingest-late-rollups'));
      const key = (rollup: RollupName) => `${this.config.redis.prefix}:rollups:late:${rollup}`;
      this.minutes = new LateIntervalStore(redis, key('1m'), MINUTELY.intervalMs, CLAIM_MS);
      this.hours = new LateIntervalStore(redis, key('1h'), HOURLY.intervalMs, CLAIM_MS);
    }
    this.timer ??= setInterval(() => void this.repair(), LATE_REPAIR_INTERVAL_MS);
    this.timer.unref();
  }

  /**
   * A stored batch's readings, stored at `storedMs`: notes the minutes of those stored too late.
   * Undefined when none was late (the common case: one comparison per reading, no Redis call);
   * else resolves once the minutes are noted — the batch must not be acknowledged before.
   */
  stored(devices: readonly FeedDevice[], storedMs: number): Promise<void> | undefined {
    if (!this.minutes) return undefined;
    const before = lateBefore(MINUTELY, storedMs);
    let late: Array<{ measurement: string; ms: number }> | undefined;
    for (const device of devices) {
      for (const ms of device.times) {
        if (ms >= before) continue;
        const measurement = getDeviceType(device.deviceType)?.measurement;
        if (measurement) (late ??= []).push({ measurement, ms });
      }
    }
    return late && this.minutes.note(late, storedMs);
  }

  /**
   * Recomputes what has gone quiet (`everything`: all noted that no other process holds), one
   * repair at a time; a range that failed stays noted for the next one.
   */
  repair(everything = false): Promise<void> {
    this.repairing = this.repairing
      .then(() => this.repairNow(everything))
      .catch((err: unknown) => this.logger.error({ err }, 'recomputing the rollups of late readings failed'));
    return this.repairing;
  }

  /** Stops the timer after recomputing everything noted that no other process holds. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.repair(true);
    this.redis?.disconnect();
    this.redis = this.minutes = this.hours = undefined;
  }

  private async repairNow(everything: boolean): Promise<void> {
    const { minutes: minuteStore, hours: hourStore } = this;
    if (!this.plan || !minuteStore || !hourStore) return;
    const quietSince = () => (everything ? Number.POSITIVE_INFINITY : Date.now() - LATE_REPAIR_INTERVAL_MS);
    // Not a minute whose scheduled rollup may still be written: that would overwrite the recomputation.
    const finalBefore = Date.now() - minuteFinalAtMs(0);
    const takenMinutes = await minuteStore.takeQuiet(quietSince(), everything ? undefined : finalBefore);
    const minutes = await this.recompute('1m', minuteStore, takenMinutes, async (done) => {
      // The hourly query recomputes an hour until two hours after it began: an older one is ours.
      // Noted before its minutes are marked done, so a crash in between cannot forget it.
      const hoursBefore = lateBefore(HOURLY, Date.now());
      const hours: Array<{ measurement: string; ms: number }> = [];
      for (const range of done) {
        const firstHour = Math.floor(range.fromMs / HOURLY.intervalMs) * HOURLY.intervalMs;
        for (let hour = firstHour; hour < Math.min(range.toMs, hoursBefore); hour += HOURLY.intervalMs)
          hours.push({ measurement: range.measurement, ms: hour });
      }
      await hourStore.note(hours, Date.now());
    });
    const hours = await this.recompute('1h', hourStore, await hourStore.takeQuiet(quietSince()));
    const count = (ranges: LateRange[], ms: number) => ranges.reduce((n, r) => n + (r.toMs - r.fromMs) / ms, 0);
    if (minutes.length + hours.length > 0)
      this.logger.info(
        { minutes: count(minutes, MINUTELY.intervalMs), hours: count(hours, HOURLY.intervalMs) },
        'rollups of late readings recomputed',
      );
  }

  /**
   * One rollup over the taken ranges; returns those recomputed, after `beforeDone` ran for them.
   * A failed range is released for a later repair (this process's or another's).
   */
  private async recompute(
    rollup: RollupName,
    store: LateIntervalStore,
    { ranges, taken }: TakenRanges,
    beforeDone?: (done: LateRange[]) => Promise<void>,
  ): Promise<LateRange[]> {
    const plan = this.plan!;
    const done: LateRange[] = [];
    const failed: LateRange[] = [];
    for (const range of ranges) {
      const fields = plan.measurements[range.measurement];
      try {
        if (fields)
          await backfillRollups(this.client, {
            database: plan.database,
            measurements: { [range.measurement]: fields },
            fromMs: range.fromMs,
            toMs: range.toMs,
            rollups: [rollup],
          });
        done.push(range);
      } catch (err) {
        failed.push(range);
        this.logger.warn({ err, rollup, ...range }, 'recomputing the rollups of late readings failed; retrying');
      }
    }
    await store.release(taken, failed);
    await beforeDone?.(done);
    await store.done(taken, done);
    return done;
  }
}
