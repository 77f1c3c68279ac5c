import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import { Metrics, type Logger } from '@citypulse/observability';
import { createResilientWriter } from '@citypulse/storage';
import { IngestWorker } from './ingest-worker.service.js';
import { INFLUX_WRITER } from './tokens.js';
import { RetentionSetup } from './retention/retention-setup.service.js';
import { LateRollups } from './retention/late-rollups.service.js';
import { MinuteRollups } from './retention/minute-rollups.service.js';
import { IngestedMinutes } from './retention/ingested-minutes.service.js';

@Module({
  providers: [
    IngestWorker,
    RetentionSetup,
    LateRollups,
    MinuteRollups,
    IngestedMinutes,
    {
      provide: INFLUX_WRITER,
      inject: [APP_CONFIG, LOGGER, Metrics],
      useFactory: (config: AppConfig, logger: Logger, metrics: Metrics) => createInfluxWriter(config, logger, metrics),
    },
  ],
})
export class IngestModule {}

function createInfluxWriter(config: AppConfig, logger: Logger, metrics: Metrics) {
  return createResilientWriter(config.influx, {
    logger,
    onWriteError: (status) => metrics.influxWriteErrors.inc({ status: String(status) }),
    onRetry: (status, delayMs, reason) => {
      metrics.influxWriteRetries.inc({ status: String(status) });
      logger.warn({ status, delayMs, reason }, 'InfluxDB write failed; retrying (readings stay pending in Redis)');
    },
    onDropped: (count, category, reason) => {
      metrics.readingsDropped.inc({ reason: category }, count);
      logger.error({ count, category, reason }, 'InfluxDB refused points as invalid; dropped');
    },
  });
}
