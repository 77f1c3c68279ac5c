/** A field value as stored in InfluxDB. */
export type FieldValue = number | boolean | string;

/**
 * A reading after the broker accepted it: validated, enriched from the registry and with its
 * identity fixed. Identity in InfluxDB is (measurement, tags, time), so once `timeNs` is set
 * here every retry and redelivery overwrites the same point instead of duplicating it.
 */
export interface Reading {
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
  /** InfluxDB measurement: the device family (building, energy, traffic). */
  measurement: string;
  /** Epoch nanoseconds as a decimal string: beyond Number's exact range. */
  timeNs: string;
  values: Record<string, FieldValue>;
}

/** Who a batch of readings belongs to: the registry metadata rule resolution needs. */
export interface DeviceRef {
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
}

/**
 * Readings of one device in compact form, for rule evaluation: the device metadata once, then
 * [epoch ms, values] per reading. Repeating the metadata per reading tripled what the hand-off
 * stream and the BullMQ jobs had to serialise and parse at tens of thousands of readings per second.
 */
export interface DeviceReadings extends DeviceRef {
  readings: Array<[tsMs: number, values: Record<string, FieldValue>]>;
}
