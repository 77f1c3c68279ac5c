import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { bullWorker, type RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS, connectRedis } from '@citypulse/core';
import { InfluxQueryClient } from '@citypulse/storage';
import { QUEUES, type AlertCheckJob } from '@citypulse/contracts';
import { AlertStore, LastSeenIndex, ReplaySessions, claimDueReminders } from '@citypulse/alert-store';
import { DeviceRegistry, PresenceStore, ShareStore } from '@citypulse/registry';
import { LatestIndicatorValues } from '@citypulse/indicators';
import { Metrics, type Logger } from '@citypulse/observability';
import { AlertQueues } from './alert-queues.js';
import { announce } from './apply-transitions.js';
import { applyAndClear } from './apply-outboxes.js';
import { RuleStateRepository } from './rule-state-repository.js';
import { RuleBook } from './rule-book.js';
import { MAINTENANCE_CALENDAR, RULE_BOOK } from './tokens.js';
import type { MaintenanceCalendar } from '@citypulse/alert-config';
import { checkDevices } from './deadman/deadman-check.js';
import { DeletedDevices } from './deleted-devices.js';
import { IndicatorTicker } from './indicators/indicator-ticker.js';

/** Overdue devices per deadman-check job: small enough to spread over every alerts worker. */
const DEVICES_PER_CHECK = 1000;

/**
 * Scheduled checks, as repeatable BullMQ jobs (one job per interval across all workers):
 * - deadman tick: one ZRANGEBYSCORE finds the devices silent for at least the shortest deadman
 *   window, and fans them out as check jobs of a thousand — work is proportional to the overdue
 *   devices, not the fleet, and spreads over every alerts worker;
 * - re-notify tick: claims open alerts due for a reminder and announces them;
 * - indicators tick: computes every cluster indicator and evaluates its rules (indicators/).
 */
@Injectable()
export class AlertChecksWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<AlertCheckJob>;
  private queues?: AlertQueues;
  private stateRedis?: RedisClient;
  private indicators?: IndicatorTicker;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) logger: Logger,
    @Inject(RULE_BOOK) private readonly rules: RuleBook,
    @Inject(MAINTENANCE_CALENDAR) private readonly maintenance: MaintenanceCalendar,
    private readonly registry: DeviceRegistry,
    private readonly metrics: Metrics,
    private readonly influx: InfluxQueryClient,
    private readonly presence: PresenceStore,
    private readonly lastSeen: LastSeenIndex,
    private readonly replaySessions: ReplaySessions,
    private readonly alerts: AlertStore,
    private readonly shares: ShareStore,
    private readonly latestIndicators: LatestIndicatorValues,
    private readonly deleted: DeletedDevices,
  ) {
    this.logger = logger.child({ component: 'alert-checks' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    const prefix = config.redis.prefix;
    this.queues = new AlertQueues(config);
    this.stateRedis = connectRedis(config, 'deadman-state');
    const deps = {
      registry: this.registry,
      presence: this.presence,
      lastSeen: this.lastSeen,
      states: new RuleStateRepository(this.stateRedis, prefix),
      rules: this.rules,
      maintenance: this.maintenance,
      replaySessions: this.replaySessions,
      replaySettleMs: config.alerts.allowedLatenessMs,
      deleted: this.deleted,
    };
    const { alerts } = this;
    const apply = { alerts, queues: this.queues, states: deps.states, metrics: this.metrics, logger: this.logger };
    const indicators = (this.indicators = new IndicatorTicker({
      ...apply,
      config,
      shares: this.shares,
      latest: this.latestIndicators,
      influx: this.influx,
      registry: this.registry,
    }));

    this.worker = bullWorker<AlertCheckJob>(
      config,
      QUEUES.alertChecks,
      async (job: Job<AlertCheckJob>) => {
        const data = job.data;
        await Promise.all([this.rules.refresh(), this.maintenance.refresh()]);
        if (data.kind === 'deadman-tick') return this.fanOut(deps.lastSeen);
        if (data.kind === 'indicators-tick') return indicators.tick(Date.now());
        if (data.kind === 'deadman-check') {
          const started = performance.now();
          await applyAndClear(await checkDevices(data.deviceIds, data.nowMs, deps), apply);
          this.metrics.deadmanCheckSeconds.observe((performance.now() - started) / 1000);
          return `${data.deviceIds.length} devices checked`;
        }
        const due = await claimDueReminders(this.redis, alerts, alerts.keyNames, Date.now());
        for (const { alert, event } of due) await alerts.recordNotified(alert.id, event);
        await announce(
          this.queues!,
          due.map((d) => d.event),
        );
        return `${due.length} reminders`;
      },
      // One job at a time: the deadman check's WATCH needs the state connection to itself.
      {
        concurrency: 1,
        keepMetrics: true,
        onFailed: (job, err) => this.logger.error({ err, jobId: job?.id }, 'alert check failed'),
      },
    );
    await this.queues.checks.upsertJobScheduler(
      'deadman',
      { every: config.alerts.deadmanIntervalMs },
      { name: 'deadman-tick', data: { kind: 'deadman-tick' } },
    );
    await this.queues.checks.upsertJobScheduler(
      'renotify',
      { every: config.alerts.renotifyCheckMs },
      { name: 'renotify-tick', data: { kind: 'renotify-tick' } },
    );
    if (indicators.definitions.length > 0) {
      await this.queues.checks.upsertJobScheduler(
        'indicators',
        { every: config.indicators.intervalMs },
        { name: 'indicators-tick', data: { kind: 'indicators-tick' } },
      );
    } else await this.queues.checks.removeJobScheduler('indicators');
  }

  /** Finds the devices past the shortest deadman window and queues them in chunks. */
  private async fanOut(lastSeen: LastSeenIndex): Promise<string> {
    const windows = this.rules.deadmanWindowsS();
    if (windows.length === 0) return 'no deadman rules';
    const nowMs = Date.now();
    const overdue = await lastSeen.silentSince(nowMs - Math.min(...windows) * 1000);
    this.metrics.deadmanOverdue.set(overdue.length);
    const jobs = [];
    for (let i = 0; i < overdue.length; i += DEVICES_PER_CHECK) {
      const deviceIds = overdue.slice(i, i + DEVICES_PER_CHECK).map((d) => d.deviceId);
      jobs.push({ name: 'deadman-check', data: { kind: 'deadman-check' as const, deviceIds, nowMs } });
    }
    if (jobs.length > 0) await this.queues!.checks.addBulk(jobs);
    return `${overdue.length} overdue devices in ${jobs.length} checks`;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queues?.close();
    await this.indicators?.close();
    this.stateRedis?.disconnect();
  }
}
