import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import type { FeedDevice, FieldValue } from '@citypulse/contracts';
import { getDeviceType } from '@citypulse/devices';
import { partitionOf } from '@citypulse/handoff';
import type { Logger } from '@citypulse/observability';
import type { RedisClient } from '@citypulse/redis';
import { createWriterFor, rollupNamed, seriesKey, type PointWriter, type RetentionPlan } from '@citypulse/storage';
import { lateBefore } from './late-intervals.js';
import { MinuteAggregates } from './minute-aggregates.js';
import { MINUTE_WRITTEN_AFTER_MS, MinuteCoverage, minuteFinalAtMs } from './minute-coverage.js';
import { PartitionHolds } from './partition-holds.js';

const MINUTELY = rollupNamed('1m');
const MINUTE_MS = MINUTELY.intervalMs;
const TICK_MS = 5_000;
/** What clocks of the broker's and ingest's hosts may differ by, on top of the devices' allowed skew. */
const CLOCK_ALLOWANCE_MS = 5_000;

/**
 * The 1-minute rollup of the readings this process stores, kept as it stores them (it holds their
 * values already, in the rule feed the broker wrote beside their lines) and written 30 s after
 * each minute ended — so that InfluxDB need not read the minute back. At 100k readings/s reading a
 * minute back cost InfluxDB about 2 µs per reading, more than a quarter of what storing it costs.
 *
 * A minute's points of a hand-off partition are written only when every reading of that minute in
 * it went through here: the partition held without a break since before any such reading could
 * have been stored elsewhere (`maxFutureSkewMs` and a clock allowance before the minute began; its
 * entries never read twice meanwhile), and its lease still this process's when the minute is marked
 * covered (MinuteCoverage). For every other minute — a process started, a partition moved, a
 * batch redone — MinuteRollups computes the minute from the raw readings, as it does with no
 * ingest process running this; readings stored after their minute was written are recomputed by
 * LateRollups either way.
 */
@Injectable()
export class IngestedMinutes {
  private readonly holds = new PartitionHolds();
  private readonly aggregates = new MinuteAggregates();
  private readonly logger: Logger;
  private readonly marginMs: number;
  private writer?: PointWriter;
  private redis?: RedisClient;
  private coverage?: MinuteCoverage;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** The next minute to write; readings of earlier minutes are no longer gathered. */
  private nextMinuteMs = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ingested-minutes' });
    this.marginMs = config.telemetry.maxFutureSkewMs + CLOCK_ALLOWANCE_MS;
  }

  /** From now on gathers what is stored and writes the minutes this process has whole. */
  start(plan: RetentionPlan): void {
    if (this.writer) return;
    const { influx } = this.config;
    this.writer = createWriterFor('v1', {
      url: influx.url,
      database: plan.database,
      retentionPolicy: MINUTELY.retentionPolicy,
      token: influx.token,
      org: '',
      bucket: '',
    });
    this.redis = connectRedis(this.config, 'ingest-minutes');
    this.coverage = new MinuteCoverage(this.redis, this.config.redis.prefix, this.config.handoff.partitions);
    this.nextMinuteMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  held(partition: number, token: string): void {
    this.holds.held(partition, token, Date.now());
  }

  released(partition: number): void {
    this.holds.released(partition);
  }

  redelivered(partition: number): void {
    this.holds.redelivered(partition, Date.now());
  }

  /** A stored batch's readings (stored at `storedMs`); late ones are LateRollups'. */
  stored(devices: readonly FeedDevice[], storedMs: number): void {
    if (!this.writer) return;
    const fromMs = Math.max(this.nextMinuteMs, lateBefore(MINUTELY, storedMs));
    const partitions = this.config.handoff.partitions;
    for (const device of devices) {
      const measurement = getDeviceType(device.deviceType)?.measurement;
      if (!measurement) continue;
      const key = seriesKey({ measurement, ...device });
      const rows = JSON.parse(device.values) as Array<Array<FieldValue | null>>;
      this.aggregates.add(partitionOf(device.deviceId, partitions), key, device.fields, device.times, rows, fromMs);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.writer?.close();
    this.redis?.disconnect();
    this.writer = undefined;
  }

  private tick(): Promise<void> {
    this.flushing ??= this.writeDue(Date.now())
      .catch((err: unknown) => this.logger.warn({ err }, 'writing the 1-minute rollup of stored readings failed'))
      .finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Writes every minute that ended MINUTE_WRITTEN_AFTER_MS ago or more. */
  private async writeDue(nowMs: number): Promise<void> {
    while (this.writer && this.nextMinuteMs + MINUTE_MS + MINUTE_WRITTEN_AFTER_MS <= nowMs) {
      const minuteMs = this.nextMinuteMs;
      this.nextMinuteMs += MINUTE_MS;
      await this.writeMinute(minuteMs);
    }
  }

  private async writeMinute(minuteMs: number): Promise<void> {
    // Too late (this process stalled): the minute is MinuteRollups' now, and a late reading's
    // recomputation may follow; writing it now could overwrite that.
    const tooLate = Date.now() >= minuteFinalAtMs(minuteMs);
    const whole = tooLate ? [] : this.holds.heldSince(minuteMs - this.marginMs);
    const wholePartitions = new Set(whole.map((h) => h.partition));
    const lines = this.aggregates.take(minuteMs, (partition) => wholePartitions.has(partition));
    if (whole.length === 0) return;
    if (lines.length > 0) await this.writer!.write(lines.join('\n'), lines.length);
    let covered = 0;
    for (const { partition, token } of whole) if (await this.coverage!.mark(partition, token, minuteMs)) covered++;
    this.logger.debug(
      { minute: new Date(minuteMs).toISOString(), points: lines.length, partitions: covered },
      '1-minute rollup of stored readings written',
    );
  }
}
