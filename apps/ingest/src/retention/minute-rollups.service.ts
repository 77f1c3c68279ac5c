import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import type { RedisClient } from '@citypulse/redis';
import { backfillRollups, rollupNamed, type InfluxQueryClient, type RetentionPlan } from '@citypulse/storage';
import { rollupQueryClient } from './rollup-query-client.js';
import { MinuteCoverage, minuteFinalAtMs } from './minute-coverage.js';

const MINUTELY = rollupNamed('1m');
const MINUTE_MS = MINUTELY.intervalMs;

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
 * Sees that the 1-minute rollup of each minute is computed once: normally the ingest processes that
 * stored its readings wrote it themselves, 30 s after it ended (IngestedMinutes); a minute that
 * some hand-off partition lacks (MinuteCoverage) — after a start, a partition moving, a batch redone,
 * or with ingest stopped — is computed from the raw readings 15 s later (minuteFinalAtMs), for every
 * measurement. Of the ingest processes sharing a Redis prefix, the first to claim a minute (SET NX)
 * looks at it and marks it done. Readings stored after that are recomputed by LateRollups. Started
 * by RetentionSetup once the rollups' policies exist (InfluxDB 1.x, CP_RETENTION_MANAGE).
 */
@Injectable()
export class MinuteRollups implements OnApplicationShutdown {
  private readonly client: InfluxQueryClient;
  private redis?: RedisClient;
  private coverage?: MinuteCoverage;
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
    this.coverage ??= new MinuteCoverage(this.redis, this.config.redis.prefix, this.config.handoff.partitions);
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
   * Looks at the minutes due at `nowMs` (minuteFinalAtMs passed, within the look-back) that no
   * process has claimed: marks those every partition covered, computes the others from raw readings;
   * returns the starts of those computed. A failed one is released for the next try.
   */
  async computeDue(nowMs: number): Promise<number[]> {
    const { plan, redis, coverage } = this;
    if (!plan || !redis || !coverage) return [];
    // The newest minute whose coverage is due: the start of the last minute with minuteFinalAtMs <= now.
    const newest = Math.floor((nowMs - minuteFinalAtMs(0)) / MINUTE_MS) * MINUTE_MS;
    const computed: number[] = [];
    const covered: number[] = [];
    for (let minute = newest - (LOOKBACK_MINUTES - 1) * MINUTE_MS; minute <= newest; minute += MINUTE_MS) {
      const key = `${this.config.redis.prefix}:rollups:1m:${minute}`;
      if ((await redis.set(key, `claimed by ${this.config.instanceId}`, 'PX', CLAIM_MS, 'NX')) !== 'OK') continue;
      if (await coverage.complete(minute).catch(() => false)) {
        // Marked apart from a computed minute's `done`: operators (and tests) can tell them apart.
        await redis.set(key, 'covered', 'PX', DONE_KEPT_MS);
        covered.push(minute);
        continue;
      }
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
    if (covered.length > 0)
      this.logger.debug(
        { minutes: covered.map((ms) => new Date(ms).toISOString()) },
        '1-minute rollups written by the ingest processes that stored them',
      );
    return computed;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.redis?.disconnect();
  }
}
