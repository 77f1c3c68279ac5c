import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { bullJobId, openQueue } from '@citypulse/redis';
import { QUEUES, type QueueName } from '@citypulse/contracts';
import type { AlertEvent } from '@citypulse/alert-store';

/** The BullMQ queues as the API sees them: to inspect (GET /queues) and to announce operators' alert events. */
@Injectable()
export class ApiQueues implements OnApplicationShutdown {
  readonly byName = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const name of Object.values(QUEUES)) this.byName.set(name, openQueue(config, name));
  }

  get(name: string): Queue | undefined {
    return this.byName.get(name as QueueName);
  }

  /**
   * Queues an operator's alert event for recording and notifying, as the alerts worker does its own (same job id, same
   * retries).
   */
  async announce(event: AlertEvent): Promise<void> {
    await this.byName
      .get(QUEUES.alertEvents)!
      .add(event.kind, { eventId: event.id, alertId: event.alertId }, { jobId: bullJobId(event.id) });
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.byName.values()].map((q) => q.close()));
  }
}
