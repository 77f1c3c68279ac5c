import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { bullWorker } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { QUEUES, type NotificationJob } from '@citypulse/contracts';
import { AlertStore } from '@citypulse/alert-store';
import { WebhookRepository } from '@citypulse/alert-config';
import { Metrics, type Logger } from '@citypulse/observability';
import { deliver } from './deliver.js';
import { recordAttempt } from './record-attempt.js';

/**
 * Delivers one alert message to one webhook per job. A retryable failure throws, and BullMQ
 * tries again with exponential backoff (CP_NOTIFY_ATTEMPTS, CP_NOTIFY_BACKOFF_MS); a refused
 * request fails at once (UnrecoverableError). Either way the failed job is kept for GET /queues
 * and a retry through the API. Every attempt is recorded on the alert's history (record-attempt.ts).
 */
@Injectable()
export class NotificationWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<NotificationJob>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    private readonly metrics: Metrics,
    private readonly webhooks: WebhookRepository,
    private readonly alerts: AlertStore,
  ) {
    this.logger = logger.child({ component: 'notifications' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, webhooks, alerts } = this;
    this.worker = bullWorker<NotificationJob>(
      config,
      QUEUES.notifications,
      async (job: Job<NotificationJob>) => {
        const webhook = await webhooks.get(job.data.webhookId);
        if (!webhook || !webhook.enabled) return 'webhook removed or disabled';
        const decision = await deliver(webhook, job.data.message, job.id!, config.notifications);
        const alertId = job.data.message.alert.id;
        await recordAttempt(alerts, this.metrics, {
          alertId,
          channel: 'webhook',
          target: `webhook ${webhook.id}`,
          jobId: job.id!,
          attempt: job.attemptsMade + 1,
          attempts: job.opts.attempts ?? 1,
          decision,
        });
        if (decision.action === 'give_up') throw new UnrecoverableError(decision.reason);
        if (decision.action === 'retry') throw new Error(decision.reason);
        await alerts.recordNotified(job.data.message.alert.id);
        return 'delivered';
      },
      {
        concurrency: 16,
        keepMetrics: true,
        onFailed: (job, err) =>
          this.logger.warn(
            { jobId: job?.id, attempt: job?.attemptsMade, reason: err.message },
            'webhook delivery failed',
          ),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
