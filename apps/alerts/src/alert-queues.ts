import { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix } from '@citypulse/core';
import { QUEUES, type AlertCheckJob, type AlertEventJob, type ChannelDeliveryJob, type EscalationJob, type NotificationJob } from '@citypulse/contracts';

/**
 * The queues the alerts app adds jobs to, with their retry policies in one place. Completed jobs
 * are trimmed; failed notifications are kept (a failed delivery is something to retry).
 */
export class AlertQueues {
  readonly events: Queue<AlertEventJob>;
  readonly notifications: Queue<NotificationJob>;
  readonly checks: Queue<AlertCheckJob>;
  readonly escalations: Queue<EscalationJob>;
  readonly channelDeliveries: Queue<ChannelDeliveryJob>;

  constructor(config: AppConfig) {
    const common = { connection: bullConnection(config), prefix: bullPrefix(config) };
    this.events = new Queue<AlertEventJob>(QUEUES.alertEvents, {
      ...common,
      defaultJobOptions: { removeOnComplete: 10_000, removeOnFail: 10_000, attempts: 20, backoff: { type: 'exponential', delay: 500 } },
    });
    // Webhook and channel deliveries: CP_NOTIFY_ATTEMPTS with exponential backoff; failed ones are kept for a retry.
    const delivery = {
      ...common,
      defaultJobOptions: { removeOnComplete: 10_000, removeOnFail: false, attempts: config.notifications.attempts, backoff: { type: 'exponential', delay: config.notifications.backoffMs } },
    };
    this.notifications = new Queue<NotificationJob>(QUEUES.notifications, delivery);
    // Escalation steps are delayed jobs (kept in Redis, so they survive restarts); a step only reads and adds jobs, so a few retries suffice.
    this.escalations = new Queue<EscalationJob>(QUEUES.escalations, {
      ...common,
      defaultJobOptions: { removeOnComplete: 10_000, removeOnFail: 10_000, attempts: 10, backoff: { type: 'exponential', delay: 500 } },
    });
    this.channelDeliveries = new Queue<ChannelDeliveryJob>(QUEUES.channelDeliveries, delivery);
    this.checks = new Queue<AlertCheckJob>(QUEUES.alertChecks, {
      ...common,
      defaultJobOptions: { removeOnComplete: 100, removeOnFail: 1000, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.notifications.close(), this.checks.close(), this.escalations.close(), this.channelDeliveries.close()]);
  }
}
