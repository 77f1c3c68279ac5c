import type { DeviceReadings, DeviceRef, FieldValue } from './reading.js';

/**
 * A device's readings as a rule-evaluation job carries them: the field names once, then one row
 * per reading. Repeating every field name in every reading doubled the JSON BullMQ writes and
 * parses for each job (a tenth of the ingest and alerts workers' CPU at full rate).
 */
export interface PackedDeviceReadings extends DeviceRef {
  fields: string[];
  /** [epoch ms, value of fields[0], value of fields[1], …]; null where a reading lacks that field. */
  rows: Array<Array<FieldValue | null>>;
}

export function packDeviceReadings(device: DeviceReadings): PackedDeviceReadings {
  const { fields, rows } = packReadings(device.readings);
  return {
    deviceId: device.deviceId,
    deviceType: device.deviceType,
    city: device.city,
    site: device.site,
    fields,
    rows,
  };
}

/** The field names once, then one row per reading (see `PackedDeviceReadings`). */
export function packReadings(readings: DeviceReadings['readings']): Pick<PackedDeviceReadings, 'fields' | 'rows'> {
  const index = new Map<string, number>();
  const fields: string[] = [];
  for (const [, values] of readings) {
    for (const name in values) {
      if (!index.has(name)) {
        index.set(name, fields.length);
        fields.push(name);
      }
    }
  }
  const rows = readings.map(([tsMs, values]) => {
    const row = new Array<FieldValue | null>(fields.length + 1).fill(null);
    row[0] = tsMs;
    for (const name in values) row[index.get(name)! + 1] = values[name];
    return row;
  });
  return { fields, rows };
}

export function unpackDeviceReadings(packed: PackedDeviceReadings): DeviceReadings {
  const { fields } = packed;
  const readings = packed.rows.map((row): [number, Record<string, FieldValue>] => {
    const values: Record<string, FieldValue> = {};
    for (let i = 0; i < fields.length; i++) {
      const value = row[i + 1];
      if (value !== null && value !== undefined) values[fields[i]] = value;
    }
    return [row[0] as number, values];
  });
  return { deviceId: packed.deviceId, deviceType: packed.deviceType, city: packed.city, site: packed.site, readings };
}
