import { Module } from '@nestjs/common';
import { AlertingApiModule } from '../alerting/alerting-api.module.js';
import { SimulationController } from './simulation.controller.js';

/** Replay sessions and removing simulated devices (the simulators' needs). */
@Module({
  imports: [AlertingApiModule],
  controllers: [SimulationController],
})
export class SimulationApiModule {}
