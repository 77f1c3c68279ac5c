import { Module } from '@nestjs/common';
import { InfluxModule, redisStore } from '@citypulse/core';
import { DistrictMap } from '@citypulse/registry';
import { AlertingApiModule } from '../alerting/alerting-api.module.js';
import { SharesController } from './shares.controller.js';
import { SharedTelemetryController } from './shared-telemetry.controller.js';
import { SharedExportController } from './shared-export.controller.js';
import { SharedStreamController } from './shared-stream.controller.js';
import { SharedLiveFeed } from './shared-live-feed.js';
import { SharedLivePublisher } from './shared-live-publisher.js';
import { SharedLiveListeners } from './shared-live-listeners.js';
import { DistrictsController } from './districts.controller.js';

/**
 * Sharing between cities: agreements, and what they give through queries, export, live streams (SSE; MQTT via the
 * brokers) and shared alerts; a city's districts, for per-district totals.
 */
@Module({
  imports: [InfluxModule, AlertingApiModule],
  controllers: [
    SharesController,
    SharedTelemetryController,
    SharedExportController,
    SharedStreamController,
    DistrictsController,
  ],
  providers: [SharedLiveFeed, SharedLivePublisher, SharedLiveListeners, redisStore(DistrictMap)],
})
export class SharingApiModule {}
