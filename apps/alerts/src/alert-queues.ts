import type { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { openQueue } from '@citypulse/redis';
import {
  QUEUES,
  type AlertCheckJob,
  type AlertEventJob,
  type ChannelDeliveryJob,
  type EscalationJob,
  type NotificationJob,
} from '@citypulse/contracts';

/** The queues the alerts app adds jobs to (their retry policies: libs/redis queueJobDefaults). */
export class AlertQueues {
  readonly events: Queue<AlertEventJob>;
  readonly notifications: Queue<NotificationJob>;
  readonly checks: Queue<AlertCheckJob>;
  readonly escalations: Queue<EscalationJob>;
  readonly channelDeliveries: Queue<ChannelDeliveryJob>;

  constructor(config: AppConfig) {
    this.events = openQueue<AlertEventJob>(config, QUEUES.alertEvents);
    this.notifications = openQueue<NotificationJob>(config, QUEUES.notifications);
    this.escalations = openQueue<EscalationJob>(config, QUEUES.escalations);
    this.channelDeliveries = openQueue<ChannelDeliveryJob>(config, QUEUES.channelDeliveries);
    this.checks = openQueue<AlertCheckJob>(config, QUEUES.alertChecks);
  }

  async close(): Promise<void> {
    await Promise.all([
      this.events.close(),
      this.notifications.close(),
      this.checks.close(),
      this.escalations.close(),
      this.channelDeliveries.close(),
    ]);
  }
}
