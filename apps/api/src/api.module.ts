import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { InfluxModule } from '@citypulse/core';
import { TokenGuard } from './auth/token-guard.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { HealthController } from './health/health.controller.js';
import { DevicesApiModule } from './devices/devices-api.module.js';
import { DeviceControlApiModule } from './device-control/device-control-api.module.js';
import { AlertingApiModule } from './alerting/alerting-api.module.js';
import { TelemetryController } from './telemetry/telemetry.controller.js';
import { TelemetryExportController } from './telemetry/export.controller.js';
import { RollupCatalog } from './telemetry/rollup-catalog.js';
import { IndicatorsController } from './indicators/indicators.controller.js';
import { SharingApiModule } from './sharing/sharing-api.module.js';
import { RejectionsController } from './rejections/rejections.controller.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { ClusterGauges } from './metrics/cluster-gauges.js';
import { ConsoleModule } from './console/console.module.js';
import { JobsApiModule } from './jobs/jobs-api.module.js';
import { SimulationApiModule } from './simulation/simulation-api.module.js';

@Module({
  imports: [
    InfluxModule,
    AlertingApiModule,
    DevicesApiModule,
    DeviceControlApiModule,
    JobsApiModule,
    ConsoleModule,
    SimulationApiModule,
    SharingApiModule,
  ],
  controllers: [
    HealthController,
    TelemetryController,
    TelemetryExportController,
    RejectionsController,
    MetricsController,
    IndicatorsController,
  ],
  providers: [TokenVerifier, { provide: APP_GUARD, useClass: TokenGuard }, ClusterGauges, RollupCatalog],
})
export class ApiModule {}
