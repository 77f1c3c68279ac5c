import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { InfluxQueryClient } from '@citypulse/storage';

/** The InfluxQL query client (InfluxDB 1.x /query, or the v1-compatible /query of 2.x/3.x). */
@Module({
  providers: [
    {
      provide: InfluxQueryClient,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new InfluxQueryClient({ url: config.influx.url, database: config.influx.database, token: config.influx.token }),
    },
  ],
  exports: [InfluxQueryClient],
})
export class InfluxModule {}
