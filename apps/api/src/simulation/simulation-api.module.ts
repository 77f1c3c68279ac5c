import { Module } from '@nestjs/common';
import { AlertingApiModule } from '../alerting/alerting-api.module.js';
import { CertificatesApiModule } from '../certificates/certificates-api.module.js';
import { SimulationController } from './simulation.controller.js';

/** Replay sessions and removing simulated devices (the simulators' needs). */
@Module({
  imports: [AlertingApiModule, CertificatesApiModule],
  controllers: [SimulationController],
})
export class SimulationApiModule {}
