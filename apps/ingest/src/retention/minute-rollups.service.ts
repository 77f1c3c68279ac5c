import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import type { RedisClient } from '@citypulse/redis';
import { backfillRollups, rollupNamed, type InfluxQueryClient, type RetentionPlan } from '@citypulse/storage';
import { rollupQueryClient } from './rollup-query-client.js';

const MINUTELY = rollupNamed('1m');
const MINUTE_MS = MINUTELY.intervalMs;
const SETTLE_MS = MINUTELY.schedule.kind === 'ingest' ? MINUTELY.schedule.settleMs : 0;

/** How often due minutes are looked for. */
const TICK_MS = 5_000;
/**
 * Minutes looked at on every tick, newest due first back: a minute whose computing process died
 * (its claim expired) or that came due while every ingest process was stopped is computed later.
 */
const LOOKBACK_MINUTES = 10;
/** A claim lasts this long: past it, a process that died while computing is taken over. */
const CLAIM_MS = 5 * 60_000;
/** A computed minute stays marked for longer than the look-back, so it is never computed twice. */
const DONE_KEPT_MS = 60 * 60_000;

/**
 * Computes the 1-minute rollup of each minute once, SETTLE_MS after it ended (rollups.ts): of the
 * ingest processes sharing a Redis prefix, the first to claim a minute (SET NX) computes it for
 * every measurement, and marks it done. Readings stored after that are recomputed by the process
 * that stored them (LateRollups). Started by RetentionSetup once the rollups' policies exist
 * (InfluxDB 1.x, CP_RETENTION_MANAGE).
 */
@Injectable()
export class MinuteRollups implements OnApplicationShutdown {
  private readonly client: InfluxQueryClient;
  private redis?: RedisClient;
  private plan?: RetentionPlan;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<unknown>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.client = rollupQueryClient(config);
    this.logger = logger.child({ component: 'minute-rollups' });
  }

  start(plan: RetentionPlan): void {
    this.plan = plan;
    this.redis ??= connectRedis(this.config, 'ingest-rollups');
    this.timer ??= setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  /** One look for due minutes, unless the last is still computing. */
  private tick(): Promise<unknown> {
    this.ticking ??= this.computeDue(Date.now())
      .catch((err: unknown) => this.logger.warn({ err }, 'computing the 1-minute rollups failed; retrying'))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /**
   * Computes the minutes due at `nowMs` (ended SETTLE_MS ago or more, within the look-back) that no
   * process has claimed; returns their starts. A failed one is released for the next try.
   */
  async computeDue(nowMs: number): Promise<number[]> {
    const { plan, redis } = this;
    if (!plan || !redis) return [];
    const newest = Math.floor((nowMs - SETTLE_MS) / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
    const computed: number[] = [];
    for (let minute = newest - (LOOKBACK_MINUTES - 1) * MINUTE_MS; minute <= newest; minute += MINUTE_MS) {
      const key = `${this.config.redis.prefix}:rollups:1m:${minute}`;
      if ((await redis.set(key, `claimed by ${this.config.instanceId}`, 'PX', CLAIM_MS, 'NX')) !== 'OK') continue;
      try {
        await backfillRollups(this.client, {
          database: plan.database,
          measurements: plan.measurements,
          fromMs: minute,
          toMs: minute + MINUTE_MS,
          rollups: ['1m'],
        });
      } catch (err) {
        await redis.del(key);
        throw err;
      }
      await redis.set(key, 'done', 'PX', DONE_KEPT_MS);
      computed.push(minute);
    }
    if (computed.length > 0)
      this.logger.debug({ minutes: computed.map((ms) => new Date(ms).toISOString()) }, '1-minute rollups computed');
    return computed;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.redis?.disconnect();
  }
}
