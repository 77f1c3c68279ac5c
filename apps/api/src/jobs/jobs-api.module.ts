import { Module } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { AuditLog } from '@citypulse/alert-store';
import { JobStore } from '@citypulse/jobs';
import { JobsController } from './jobs.controller.js';
import { FleetJobTicks } from './fleet-job-ticks.js';
import { FirmwareApiModule } from '../firmware/firmware-api.module.js';

/** Fleet jobs: create, follow (totals, per device, live), pause, resume, cancel. */
@Module({
  imports: [FirmwareApiModule],
  controllers: [JobsController],
  providers: [
    FleetJobTicks,
    { provide: JobStore, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new JobStore(redis, config.redis.prefix) },
    { provide: AuditLog, inject: [REDIS, APP_CONFIG], useFactory: (redis: RedisClient, config: AppConfig) => new AuditLog(redis, config.redis.prefix) },
  ],
})
export class JobsApiModule {}
