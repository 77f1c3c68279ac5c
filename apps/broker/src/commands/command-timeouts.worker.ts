import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { bullWorker } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { QUEUES, type CommandTimeoutJob } from '@citypulse/contracts';
import { CommandStore } from '@citypulse/commands';
import { Metrics, type Logger } from '@citypulse/observability';

/**
 * Times out commands nobody answered: the API adds one delayed job per command, due at its
 * deadline, and whichever broker's worker takes it moves the command to timed-out — unless the
 * device's ack got there first (the store refuses to move a finished command).
 */
@Injectable()
export class CommandTimeoutsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<CommandTimeoutJob>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly commands: CommandStore,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = bullWorker<CommandTimeoutJob>(
      this.config,
      QUEUES.commandTimeouts,
      async (job: Job<CommandTimeoutJob>) => {
        const moved = await this.commands.timeOut(job.data.deviceId, job.data.commandId);
        if (!moved.moved) return `already ${moved.status ?? 'gone'}`;
        this.metrics.commandTransitions.inc({ status: 'timed-out' });
        return 'timed out';
      },
      {
        concurrency: 16,
        onFailed: (job, err) => this.logger.warn({ err, commandId: job?.data.commandId }, 'command timeout job failed'),
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
