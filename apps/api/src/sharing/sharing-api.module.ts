import { Module } from '@nestjs/common';
import { InfluxModule } from '@citypulse/core';
import { AlertingApiModule } from '../alerting/alerting-api.module.js';
import { SharesController } from './shares.controller.js';
import { SharedTelemetryController } from './shared-telemetry.controller.js';
import { SharedExportController } from './shared-export.controller.js';
import { SharedStreamController } from './shared-stream.controller.js';
import { SharedLiveFeed } from './shared-live-feed.js';
import { SharedLivePublisher } from './shared-live-publisher.js';

/**
 * Sharing between cities: agreements, and what they give through queries, export, live streams (SSE; MQTT via the
 * brokers) and shared alerts.
 */
@Module({
  imports: [InfluxModule, AlertingApiModule],
  controllers: [SharesController, SharedTelemetryController, SharedExportController, SharedStreamController],
  providers: [SharedLiveFeed, SharedLivePublisher],
})
export class SharingApiModule {}
