import { deviceTypes, type DeviceTypeDefinition } from '@citypulse/devices';

/*
 * Which fields mean/min/max can be asked of: the numeric ones (InfluxQL has no mean of a string
 * or boolean). The catalogue decides, so a new device type's fields are queryable as they ship.
 */

const isNumeric = (kind: string) => kind === 'number' || kind === 'integer';

/** The numeric fields of a device type, in catalogue order. */
export function numericFieldsOf(type: DeviceTypeDefinition): string[] {
  return Object.entries(type.fields)
    .filter(([, spec]) => isNumeric(spec.kind))
    .map(([name]) => name);
}

/** The numeric fields any device type of a family (measurement) writes. */
export function numericFieldsOfMeasurement(measurement: string): Set<string> {
  const fields = new Set<string>();
  for (const type of Object.values(deviceTypes))
    if (type.measurement === measurement) for (const f of numericFieldsOf(type)) fields.add(f);
  return fields;
}

/**
 * The fields a history query asks for: the requested ones (each must be a numeric field of the
 * type), or all numeric fields when none are named. Returns the unknown names instead when any.
 */
export function pickFields(
  type: DeviceTypeDefinition,
  requested: string | undefined,
): { fields: string[] } | { unknown: string[] } {
  const numeric = numericFieldsOf(type);
  if (!requested) return { fields: numeric };
  const names = [...new Set(requested.split(',').filter((f) => f !== ''))];
  const unknown = names.filter((f) => !numeric.includes(f));
  return unknown.length > 0 ? { unknown } : { fields: names };
}
