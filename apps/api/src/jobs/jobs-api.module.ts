import { Module } from '@nestjs/common';
import { JobsController } from './jobs.controller.js';
import { FleetJobTicks } from './fleet-job-ticks.js';
import { FirmwareApiModule } from '../firmware/firmware-api.module.js';

/** Fleet jobs: create, follow (totals, per device, live), pause, resume, cancel. */
@Module({
  imports: [FirmwareApiModule],
  controllers: [JobsController],
  providers: [FleetJobTicks],
})
export class JobsApiModule {}
