import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { bullWorker, type RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { QUEUES, alertLiveChannel, type AlertEventJob } from '@citypulse/contracts';
import { AlertStore } from '@citypulse/alert-store';
import { ChannelRepository, WebhookRepository, webhookMatches } from '@citypulse/alert-config';
import {
  createPointWriter,
  decideWrite,
  DEFAULT_BACKOFF,
  WriteFailedError,
  type PointWriter,
} from '@citypulse/storage';
import type { Logger } from '@citypulse/observability';
import { AlertQueues } from '../alert-queues.js';
import { bullJobId } from '@citypulse/redis';
import { toAlertMessage } from './alert-message.js';
import { alertLine } from './alert-point.js';
import { isSuppressed } from '../notifications/suppression.js';
import { startEscalation } from '../escalation/escalation-jobs.js';

/**
 * Announces and records each alert event: one notification job per matching webhook → the live
 * channel (API event stream, broker's MQTT topic) → the history point in InfluxDB. A failed
 * InfluxDB write fails the job and BullMQ retries it; the notification jobs' ids make a retry add
 * none twice, and only the first attempt publishes the live message.
 */
@Injectable()
export class AlertEventsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<AlertEventJob>;
  private queues?: AlertQueues;
  private writer?: PointWriter;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) logger: Logger,
    private readonly alerts: AlertStore,
    private readonly webhooks: WebhookRepository,
    private readonly channels: ChannelRepository,
  ) {
    this.logger = logger.child({ component: 'alert-events' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, alerts, webhooks, channels } = this;
    this.queues = new AlertQueues(config);
    this.writer = createPointWriter(config.influx);
    const channel = alertLiveChannel(config.redis.prefix);
    this.worker = bullWorker<AlertEventJob>(
      config,
      QUEUES.alertEvents,
      async (job: Job<AlertEventJob>) => {
        const [alert, history] = await Promise.all([alerts.get(job.data.alertId), alerts.history(job.data.alertId)]);
        const event = history.find((e) => e.id === job.data.eventId);
        if (!alert || !event) return 'alert or event gone';
        const message = toAlertMessage(alert, event);
        if (isSuppressed(alert)) {
          await this.writeHistory(alertLine(alert, event), job.attemptsMade + 1);
          return `${event.kind}: suppressed by maintenance window ${alert.suppressedBy}, notified no one`;
        }
        const targets = (await webhooks.list()).filter((w) => webhookMatches(w, message));
        if (targets.length > 0) {
          await this.queues!.notifications.addBulk(
            targets.map((w) => ({
              name: event.kind,
              data: { webhookId: w.id, message },
              opts: { jobId: `${bullJobId(event.id)}|${w.id}` },
            })),
          );
        }
        // A city's escalation policy for the severity takes a new alert from here (escalation.worker.ts).
        if (event.kind === 'raised') await startEscalation(this.queues!.escalations, channels, alert);
        // Live first: the history write competes with ingest for InfluxDB and may be slow or retried.
        // Only the first attempt announces, so a retried history write does not repeat the message.
        if (job.attemptsMade === 0) await this.redis.publish(channel, JSON.stringify(message));
        await this.writeHistory(alertLine(alert, event), job.attemptsMade + 1);
        return `${event.kind}: ${targets.length} webhooks`;
      },
      {
        concurrency: 4,
        keepMetrics: true,
        onFailed: (job, err) =>
          this.logger.warn({ err: err.message, jobId: job?.id }, 'alert event not recorded yet; BullMQ will retry'),
      },
    );
  }

  private async writeHistory(line: string, attempt: number): Promise<void> {
    try {
      await this.writer!.write(line, 1);
    } catch (err) {
      const failure = err instanceof WriteFailedError ? err : { body: String(err) };
      const decision = decideWrite(failure, { ...DEFAULT_BACKOFF, lineCount: 1, attempt });
      // A point InfluxDB will never take must not hold the announcement back.
      if (decision.action === 'drop')
        this.logger.error({ reason: decision.reason, line }, 'alert history point refused by InfluxDB; dropped');
      else throw new Error(`alert history write: ${decision.reason}`, { cause: err });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await this.queues?.close();
    await this.writer?.close();
  }
}
