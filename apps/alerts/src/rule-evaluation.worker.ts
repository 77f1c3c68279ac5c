import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue, Worker } from 'bullmq';
import { bullWorker, openQueue, waitForJobs, type RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import { QUEUES, type RuleEvaluationJob } from '@citypulse/contracts';
import { AlertStore, ReplaySessions, RuleJobFeeds, sessionOf } from '@citypulse/alert-store';
import type { MaintenanceCalendar } from '@citypulse/alert-config';
import { readingsOutOfOrder } from '@citypulse/rules';
import { Metrics, type Logger } from '@citypulse/observability';
import { RuleBook } from './rule-book.js';
import { RuleStateRepository } from './rule-state-repository.js';
import { JobsEvaluatedHere } from './jobs-evaluated-here.js';
import { DeletedDevices } from './deleted-devices.js';
import { applyAndClear } from './apply-outboxes.js';
import { AlertQueues } from './alert-queues.js';
import { MAINTENANCE_CALENDAR, RULE_BOOK } from './tokens.js';
import { decideWithMaintenance } from './maintenance/decide-with-maintenance.js';

/**
 * Evaluates batches of stored readings against the rules, per device: decide (pure) → store state
 * and outbox atomically → apply the outbox to the alert store → clear it. A failed job is retried
 * by BullMQ; redelivered readings are idempotent under event-time evaluation.
 *
 * Order: event-time evaluation is not order-free — a breach reading evaluated after a newer normal
 * one is "late" and raises nothing — so with several alerts workers fetching jobs at once, a job
 * first waits (at most 5 s) until the jobs its ingest process added before it (`after`) finished
 * (those evaluated by this process are known here, `JobsEvaluatedHere`; Redis is asked about the rest).
 * Together with ingest feeding each device's readings in order, and handing a partition over only
 * once its jobs were evaluated, a device's readings reach its rule state in publish order.
 */
@Injectable()
export class RuleEvaluationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<RuleEvaluationJob>;
  private stateRedis?: RedisClient;
  private queues?: AlertQueues;
  private ruleQueue?: Queue;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(RULE_BOOK) private readonly rules: RuleBook,
    @Inject(MAINTENANCE_CALENDAR) private readonly maintenance: MaintenanceCalendar,
    private readonly metrics: Metrics,
    private readonly alerts: AlertStore,
    private readonly replaySessions: ReplaySessions,
    private readonly deleted: DeletedDevices,
  ) {
    this.logger = logger.child({ component: 'alerts' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stateRedis = connectRedis(this.config, 'rule-state');
    this.queues = new AlertQueues(this.config);
    const states = new RuleStateRepository(this.stateRedis, this.config.redis.prefix);
    // On the state connection too: a job's feed is read before its WATCH and deleted after its EXEC.
    const feeds = new RuleJobFeeds(this.stateRedis, this.config.redis.prefix, this.config.alerts.ruleFeedsKeptS);
    const { alerts, replaySessions } = this;
    const queues = this.queues;
    const ruleQueue = (this.ruleQueue = openQueue(this.config, QUEUES.ruleEvaluation));
    const evaluatedHere = new JobsEvaluatedHere();
    this.worker = bullWorker<RuleEvaluationJob>(
      this.config,
      QUEUES.ruleEvaluation,
      async (job: Job<RuleEvaluationJob>) => {
        const after = evaluatedHere.notAmong(job.data.after ?? []);
        if (after.length > 0 && !(await waitForJobs(ruleQueue, after))) {
          this.metrics.ruleOrderWaitsGivenUp.inc();
          this.logger.warn(
            { jobId: job.id, after: job.data.after },
            'rule evaluation: earlier jobs still unfinished after 5 s; evaluating this one anyway',
          );
        }
        const [sessions, readings] = await Promise.all([
          replaySessions.all(),
          feeds.readings(job.data),
          this.rules.refresh(),
          this.maintenance.refresh(),
        ]);
        if (!readings) {
          // Only a feed already evaluated is deleted (the worker stopped before completing its job), or one a week old.
          this.logger.warn(
            { jobId: job.id, feedKey: job.data.feedKey },
            'rule evaluation: the job’s readings are gone',
          );
          return;
        }
        const devices = new Map(readings.map((device) => [device.deviceId, device]));
        const options = { allowedLatenessMs: this.config.alerts.allowedLatenessMs, nowMs: Date.now() };
        // A replayed device's silence is judged on its own readings' clock (libs/alert-store replay-sessions.ts).
        const clockOf = (device: { deviceId: string; city: string }) =>
          sessions.length > 0 && sessionOf(sessions, device) ? 'event' : 'wall';
        const late = new Map<string, number>();
        const outboxes = await states.updateMany([...devices.keys()], (deviceId, current) => {
          // Asked after the WATCH: a deletion since then breaks it, and the retry lands here again.
          if (this.deleted.has(deviceId)) return undefined;
          const device = devices.get(deviceId)!;
          late.set(deviceId, readingsOutOfOrder(current, device.readings));
          return decideWithMaintenance(
            current,
            device,
            this.rules.rulesFor(device),
            device.readings,
            { ...options, deadmanClock: clockOf(device) },
            this.maintenance,
          );
        });
        this.metrics.ruleReadingsOutOfOrder.inc([...late.values()].reduce((a, b) => a + b, 0));
        await applyAndClear(outboxes, { alerts, queues, states, metrics: this.metrics, logger: this.logger });
        await feeds.evaluated(job.data);
        evaluatedHere.add(job.id!);
      },
      // One job at a time per worker: WATCH needs the state connection to itself.
      {
        name: this.config.instanceId,
        concurrency: 1,
        keepMetrics: true,
        onFailed: (job, err) => this.logger.error({ err, jobId: job?.id }, 'rule evaluation failed; BullMQ will retry'),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.ruleQueue?.close();
    await this.queues?.close();
    this.stateRedis?.disconnect();
  }
}
