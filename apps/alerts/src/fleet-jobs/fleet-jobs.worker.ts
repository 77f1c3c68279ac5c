import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue, Worker } from 'bullmq';
import { bullWorker, openQueue, type RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, REDIS } from '@citypulse/core';
import { QUEUES, type CommandTimeoutJob, type FleetJobTick } from '@citypulse/contracts';
import { CommandStore } from '@citypulse/commands';
import { ShadowStore } from '@citypulse/shadow';
import { DeviceRegistry } from '@citypulse/registry';
import { JobEngine, JobStore, fleetJobSchedulerId, rearmFleetJobs } from '@citypulse/jobs';
import { FirmwareCatalogue } from '@citypulse/firmware';
import type { Logger } from '@citypulse/observability';

/**
 * Runs fleet jobs: every live job has a BullMQ job scheduler (added by the API when the job is
 * created) whose ticks land here, on whichever alerts worker is free. A tick that finds its job
 * over, with nothing left in flight, removes the scheduler. State lives in Redis only, so killing
 * this process (or the API) mid-rollout loses nothing: the next tick, here or elsewhere, carries on.
 */
@Injectable()
export class FleetJobsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private worker?: Worker<FleetJobTick>;
  private ticks?: Queue<FleetJobTick>;
  private timeouts?: Queue<CommandTimeoutJob>;
  private readonly logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: RedisClient,
    @Inject(LOGGER) logger: Logger,
    private readonly registry: DeviceRegistry,
    private readonly store: JobStore,
    private readonly commands: CommandStore,
    private readonly shadows: ShadowStore,
    private readonly firmware: FirmwareCatalogue,
  ) {
    this.logger = logger.child({ component: 'fleet-jobs' });
  }

  onApplicationBootstrap(): void {
    const { config, redis, store, commands, shadows, firmware } = this;
    this.ticks = openQueue<FleetJobTick>(config, QUEUES.fleetJobs);
    this.timeouts = openQueue<CommandTimeoutJob>(config, QUEUES.commandTimeouts);
    const onlineKey = this.registry.keys.online;
    const engine = new JobEngine({
      store,
      commands,
      shadows,
      online: async (ids) => (ids.length === 0 ? [] : (await redis.smismember(onlineKey, ...ids)).map((x) => x === 1)),
      scheduleTimeout: async (job, delayMs) => {
        await this.timeouts!.add('timeout', job, { jobId: job.commandId, delay: delayMs });
      },
      releaseImage: (imageId, holder) => firmware.release(imageId, holder),
      owner: config.instanceId,
      lockMs: config.jobs.lockMs,
      maxBatch: config.jobs.maxBatch,
      concurrency: 32,
    });
    this.worker = bullWorker<FleetJobTick>(
      config,
      QUEUES.fleetJobs,
      async (job: Job<FleetJobTick>) => {
        const result = await engine.tick(job.data.jobId);
        if (result === 'done' || result === 'gone')
          await this.ticks!.removeJobScheduler(fleetJobSchedulerId(job.data.jobId));
        return result;
      },
      {
        concurrency: 4,
        onFailed: (job, err) => this.logger.warn({ err, jobId: job?.data.jobId }, 'fleet job tick failed'),
      },
    );
    // A worker killed mid-tick may have left a job's scheduler without its next tick.
    rearmFleetJobs(this.ticks, config.jobs.tickMs).then(
      (count) => count > 0 && this.logger.info({ count }, 'fleet job ticks re-armed'),
      (err: unknown) =>
        this.logger.warn({ err }, 'could not re-arm fleet job ticks; they resume when their stalled tick is recovered'),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
    await Promise.all([this.ticks?.close(), this.timeouts?.close()]);
  }
}
