import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix } from '@citypulse/core';
import { QUEUES, type QueueName } from '@citypulse/contracts';
import type { AlertEvent } from '@citypulse/alert-store';

/** The BullMQ queues as the API sees them: to inspect (GET /queues) and to announce operators' alert events. */
@Injectable()
export class ApiQueues implements OnApplicationShutdown {
  readonly byName = new Map<QueueName, Queue>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const name of Object.values(QUEUES)) this.byName.set(name, new Queue(name, { connection: bullConnection(config), prefix: bullPrefix(config) }));
  }

  get(name: string): Queue | undefined {
    return this.byName.get(name as QueueName);
  }

  /** Queues an operator's alert event for recording and notifying, as the alerts worker does its own. */
  async announce(event: AlertEvent): Promise<void> {
    await this.byName.get(QUEUES.alertEvents)!.add(
      event.kind,
      { eventId: event.id, alertId: event.alertId },
      { jobId: event.id.replaceAll(':', '|'), removeOnComplete: 10_000, removeOnFail: 10_000, attempts: 20, backoff: { type: 'exponential', delay: 500 } },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.byName.values()].map((q) => q.close()));
  }
}
