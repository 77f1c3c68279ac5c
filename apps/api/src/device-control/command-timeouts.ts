import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { openQueue } from '@citypulse/redis';
import { QUEUES, type CommandTimeoutJob } from '@citypulse/contracts';

/** Schedules the delayed job that times a command out at its deadline (run by the brokers' CommandTimeoutsWorker). */
@Injectable()
export class CommandTimeouts implements OnApplicationShutdown {
  private readonly queue: Queue<CommandTimeoutJob>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.queue = openQueue<CommandTimeoutJob>(config, QUEUES.commandTimeouts);
  }

  async schedule(job: CommandTimeoutJob, delayMs: number): Promise<void> {
    await this.queue.add('timeout', job, { jobId: job.commandId, delay: delayMs });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
