import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import { bullWorker, type RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { QUEUES, alertLiveChannel, type ChannelDeliveryJob } from '@citypulse/contracts';
import { AlertStore } from '@citypulse/alert-store';
import { ChannelRepository } from '@citypulse/alert-config';
import { Metrics, type Logger } from '@citypulse/observability';
import { summarise } from '../notifications/channels/alert-summary.js';
import { sendToChannel, type ChannelSenderDeps } from '../notifications/channels/send-to-channel.js';
import { recordAttempt } from '../notifications/record-attempt.js';

/**
 * Delivers one alert message to one city channel per job. Like webhook deliveries: a retryable
 * failure throws and BullMQ retries with exponential backoff (CP_NOTIFY_ATTEMPTS,
 * CP_NOTIFY_BACKOFF_MS), a refused one fails at once; every attempt is recorded on the alert's
 * history, and a final failure on the alert and in citypulse_notification_failures_total.
 */
@Injectable()
export class ChannelDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<ChannelDeliveryJob>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) logger: Logger,
    private readonly metrics: Metrics,
    private readonly alerts: AlertStore,
    private readonly channels: ChannelRepository,
  ) {
    this.logger = logger.child({ component: 'channel-deliveries' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, redis, alerts, channels } = this;
    const live = alertLiveChannel(config.redis.prefix);
    const deps: ChannelSenderDeps = {
      secretsKey: config.notifications.secretsKey,
      options: config.notifications,
      publishLive: async (message) => void (await redis.publish(live, JSON.stringify(message))),
    };
    this.worker = bullWorker<ChannelDeliveryJob>(
      config,
      QUEUES.channelDeliveries,
      async (job: Job<ChannelDeliveryJob>) => {
        const d = job.data;
        const channel = await channels.channel(d.city, d.channelId);
        if (!channel || !channel.enabled) {
          await alerts.recordNotification(d.alertId, {
            id: `${d.alertId}:delivery:${job.id}`,
            kind: 'delivery',
            at: new Date().toISOString(),
            actor: 'notifications',
            detail: `${d.channelId} (level ${d.level}): skipped, channel removed or disabled`,
          });
          return 'channel removed or disabled';
        }
        const summary = summarise(d.message, config.notifications.consoleUrl, d.level);
        const decision = await sendToChannel(
          channel,
          { message: d.message, summary, deliveryId: job.id!, ...(d.recipients && { recipients: d.recipients }) },
          deps,
        );
        const target =
          `${channel.kind} ${channel.id}${d.recipients ? ` to ${d.recipients.join(', ')}` : ''} ` +
          `(level ${d.level})`;
        await recordAttempt(alerts, this.metrics, {
          alertId: d.alertId,
          channel: channel.kind,
          target,
          jobId: job.id!,
          attempt: job.attemptsMade + 1,
          attempts: job.opts.attempts ?? 1,
          decision,
        });
        if (decision.action === 'give_up') throw new UnrecoverableError(decision.reason);
        if (decision.action === 'retry') throw new Error(decision.reason);
        return 'delivered';
      },
      {
        concurrency: 16,
        onFailed: (job, err) =>
          this.logger.warn(
            { jobId: job?.id, attempt: job?.attemptsMade, reason: err.message },
            'channel delivery failed',
          ),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
