import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { detectInfluxApi, ensureRetention, InfluxQueryClient } from '@citypulse/storage';
import { retentionPlanOf } from './retention-plan.js';
import { LateRollups } from './late-rollups.service.js';
import { MinuteRollups } from './minute-rollups.service.js';
import { IngestedMinutes } from './ingested-minutes.service.js';

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 60_000;

/**
 * Sets up retention and rollups (ensureRetention) when an ingest process starts, on InfluxDB 1.x
 * only: 2.x/3.x and VictoriaMetrics keep data by their own settings (README, *Retention and
 * rollups*); then starts keeping the 1-minute rollup of what this process stores
 * (IngestedMinutes), computing from raw readings the minutes it lacks (MinuteRollups) and
 * recomputing late readings' (LateRollups). In the background, retried with backoff until it succeeds: like the
 * writer, an ingest process started while InfluxDB is down must start and catch up, not crash.
 */
@Injectable()
export class RetentionSetup implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stop = new AbortController();
  private running?: Promise<void>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly minuteRollups: MinuteRollups,
    private readonly lateRollups: LateRollups,
    private readonly ingestedMinutes: IngestedMinutes,
  ) {
    this.logger = logger.child({ component: 'retention' });
  }

  onApplicationBootstrap(): void {
    if (!this.config.retention.manage) return;
    this.running = this.runUntilDone();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async runUntilDone(): Promise<void> {
    const { influx } = this.config;
    const client = new InfluxQueryClient({ url: influx.url, database: influx.database, token: influx.token });
    for (let delayMs = FIRST_RETRY_MS; !this.stop.signal.aborted; delayMs = Math.min(MAX_RETRY_MS, delayMs * 2)) {
      try {
        if ((await detectInfluxApi(influx.url, { token: influx.token })) !== 'v1') {
          this.logger.info(
            'InfluxDB 2.x/3.x or a v2-write server: retention and rollups are its own settings (README, ' +
              'Retention and rollups)',
          );
          return;
        }
        const plan = retentionPlanOf(this.config);
        const result = await ensureRetention(client, plan);
        this.ingestedMinutes.start(plan);
        this.minuteRollups.start(plan);
        this.lateRollups.start(plan);
        const { raw, oneMinute, oneHour } = this.config.retention;
        this.logger.info(
          { ...result, raw: raw.influxql, rollup1m: oneMinute.influxql, rollup1h: oneHour.influxql },
          'retention policies and rollup continuous queries in place',
        );
        return;
      } catch (err) {
        if (this.stop.signal.aborted) return;
        this.logger.warn({ err, retryInMs: delayMs }, 'setting up InfluxDB retention and rollups failed; retrying');
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    }
  }
}
