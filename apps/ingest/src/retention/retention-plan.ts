import type { AppConfig } from '@citypulse/config';
import { deviceTypes } from '@citypulse/devices';
import type { RetentionPlan } from '@citypulse/storage';

/** The measurements rolled up: every device family's (the alerts history in the same database is not telemetry). */
export function telemetryMeasurements(): string[] {
  return [...new Set(Object.values(deviceTypes).map((type) => type.measurement))].sort();
}

/** What CP_INFLUX_DB and CP_RETENTION_* ask of an InfluxDB 1.x server. */
export function retentionPlanOf(config: AppConfig): RetentionPlan {
  const { retention } = config;
  return {
    database: config.influx.database,
    raw: retention.raw,
    rollups: { '1m': retention.oneMinute, '1h': retention.oneHour },
    measurements: telemetryMeasurements(),
  };
}
