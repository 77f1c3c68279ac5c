import { Inject, Injectable } from '@nestjs/common';
import { LOGGER } from '@citypulse/core';
import type { FeedDevice } from '@citypulse/contracts';
import { getDeviceType } from '@citypulse/devices';
import type { Logger } from '@citypulse/observability';
import { backfillRollups, type InfluxQueryClient, type RetentionPlan } from '@citypulse/storage';
import { LateMinutes, type LateRange } from './late-minutes.js';

/**
 * How often late minutes are recomputed. Readings arriving late come in bursts (a device's buffered
 * upload, a backlog drained after an outage): gathering them first recomputes each minute once per
 * burst, not once per batch — a minute of a busy measurement is hundreds of thousands of points.
 */
export const LATE_REPAIR_INTERVAL_MS = 10_000;

/**
 * Keeps the rollups right for readings stored too late for the 1-minute continuous query
 * (rollups.ts): the ingest process that stored them recomputes their minutes, and the hours holding
 * those from the minutes, every LATE_REPAIR_INTERVAL_MS. Runs only once RetentionSetup has set the
 * rollups up (InfluxDB 1.x, CP_RETENTION_MANAGE): until then late readings are not gathered.
 *
 * What a stop or a crash leaves: the final repair runs at a stop; a crash forgets the minutes
 * gathered since the last one (at most LATE_REPAIR_INTERVAL_MS of late readings) — their raw
 * readings are stored, and `npm run rollups -- backfill` recomputes their rollups.
 */
@Injectable()
export class LateRollups {
  private readonly late = new LateMinutes();
  private target?: { client: InfluxQueryClient; plan: RetentionPlan };
  private timer?: NodeJS.Timeout;
  private repairing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(@Inject(LOGGER) logger: Logger) {
    this.logger = logger.child({ component: 'late-rollups' });
  }

  /** From now on, gathers late readings and recomputes their rollups on this database. */
  start(client: InfluxQueryClient, plan: RetentionPlan): void {
    this.target = { client, plan };
    this.timer ??= setInterval(() => void this.repair(), LATE_REPAIR_INTERVAL_MS);
    this.timer.unref();
  }

  /** A stored batch's readings, stored at `storedMs`: notes the minutes of those stored too late. */
  stored(devices: readonly FeedDevice[], storedMs: number): void {
    if (!this.target) return;
    const lateBefore = LateMinutes.lateBefore(storedMs);
    for (const device of devices) {
      for (const ms of device.times) {
        if (ms >= lateBefore) continue;
        const measurement = getDeviceType(device.deviceType)?.measurement;
        if (measurement) this.late.note(measurement, ms);
      }
    }
  }

  /** Recomputes the minutes gathered so far (one repair at a time); a failed one is retried next time. */
  repair(): Promise<void> {
    this.repairing = this.repairing
      .then(() => this.repairNow())
      .catch((err: unknown) => this.logger.error({ err }, 'recomputing the rollups of late readings failed'));
    return this.repairing;
  }

  /** Stops the timer after a last repair. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.repair();
  }

  private async repairNow(): Promise<void> {
    if (!this.target || this.late.size === 0) return;
    const { client, plan } = this.target;
    const ranges = this.late.take();
    const failed: LateRange[] = [];
    let minutes = 0;
    for (const range of ranges) {
      const fields = plan.measurements[range.measurement];
      if (!fields) continue;
      try {
        await backfillRollups(client, {
          database: plan.database,
          measurements: { [range.measurement]: fields },
          fromMs: range.fromMs,
          toMs: range.toMs,
        });
        minutes += (range.toMs - range.fromMs) / 60_000;
      } catch (err) {
        failed.push(range);
        this.logger.warn({ err, ...range }, 'recomputing the rollups of late readings failed; retrying');
      }
    }
    this.late.restore(failed);
    if (minutes > 0) this.logger.info({ minutes }, 'rollups of late readings recomputed');
  }
}
