import type { AppConfig } from '@citypulse/config';
import { deviceTypes, type DeviceTypeDefinition, type FieldKind } from '@citypulse/devices';
import type { RetentionPlan, RolledMeasurements, RollupFieldKind } from '@citypulse/storage';

/** The InfluxDB field type each kind of field is stored as, which decides how it is rolled up. */
const ROLLUP_KIND: Readonly<Record<FieldKind, RollupFieldKind>> = {
  number: 'number',
  integer: 'number',
  boolean: 'boolean',
  enum: 'string',
  text: 'string',
};

/**
 * The measurements rolled up — every device family's, with the fields of all its types (the alerts
 * history in the same database is not telemetry). Two types of a family must not give one field
 * two kinds: InfluxDB would refuse the second type's writes to a shard holding the first's.
 */
export function telemetryMeasurements(
  types: readonly DeviceTypeDefinition[] = Object.values(deviceTypes),
): RolledMeasurements {
  const measurements: Record<string, Record<string, RollupFieldKind>> = {};
  const kinds = new Map<string, { kind: FieldKind; type: string }>();
  for (const type of types) {
    const fields = (measurements[type.measurement] ??= {});
    for (const [name, spec] of Object.entries(type.fields)) {
      const key = `${type.measurement}.${name}`;
      const seen = kinds.get(key);
      if (seen && seen.kind !== spec.kind)
        throw new Error(`field ${key} is ${seen.kind} in ${seen.type} but ${spec.kind} in ${type.name}`);
      kinds.set(key, { kind: spec.kind, type: type.name });
      fields[name] = ROLLUP_KIND[spec.kind];
    }
  }
  return measurements;
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
