import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { openQueue } from '@citypulse/redis';
import { QUEUES, type FleetJobTick } from '@citypulse/contracts';
import { scheduleFleetJob } from '@citypulse/jobs';

/** Starts the ticks of a fleet job (the alerts workers run them). */
@Injectable()
export class FleetJobTicks implements OnApplicationShutdown {
  private readonly queue: Queue<FleetJobTick>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.queue = openQueue<FleetJobTick>(config, QUEUES.fleetJobs);
  }

  start(jobId: string): Promise<void> {
    return scheduleFleetJob(this.queue, jobId, this.config.jobs.tickMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
