import type { DeviceReadings, DeviceRef, FieldValue } from '@citypulse/contracts';

/** What the broker hands off for one publish: its line-protocol lines and, aligned, its readings. */
export interface HandoffItem {
  device: DeviceRef;
  /** One line per reading, identity (measurement, tags, time) already fixed. */
  lines: string[];
  /** [epoch ms, values] per reading, same order as `lines`. */
  readings: Array<[tsMs: number, values: Record<string, FieldValue>]>;
}

/**
 * A stream entry's fields. `lp` goes to InfluxDB as it is; `rf` feeds rule evaluation.
 * Keeping both avoids re-deriving either downstream (parsing line protocol back, or building
 * lines from objects in the ingest worker).
 */
export interface EncodedEntry {
  lp: string;
  rf: string;
  n: number;
}

/** Packs items into entries of at most `maxReadings` readings, readings of a device grouped once per entry. */
export function encodeEntries(items: readonly HandoffItem[], maxReadings: number): EncodedEntry[] {
  const entries: EncodedEntry[] = [];
  let lines: string[] = [];
  let devices = new Map<string, DeviceReadings>();
  const close = () => {
    if (lines.length === 0) return;
    entries.push({ lp: lines.join('\n'), rf: JSON.stringify([...devices.values()]), n: lines.length });
    lines = [];
    devices = new Map();
  };
  for (const item of items) {
    for (let i = 0; i < item.lines.length; i++) {
      lines.push(item.lines[i]);
      let group = devices.get(item.device.deviceId);
      if (!group) {
        const { deviceId, deviceType, city, site } = item.device;
        group = { deviceId, deviceType, city, site, readings: [] };
        devices.set(deviceId, group);
      }
      group.readings.push(item.readings[i]);
      if (lines.length >= maxReadings) close();
    }
  }
  close();
  return entries;
}

/** Merges entries' rule feeds into one group per device, readings in stream order. */
export function mergeDeviceReadings(feeds: readonly DeviceReadings[][]): DeviceReadings[] {
  const merged = new Map<string, DeviceReadings>();
  for (const feed of feeds) {
    for (const group of feed) {
      const existing = merged.get(group.deviceId);
      if (existing) for (const r of group.readings) existing.readings.push(r);
      else merged.set(group.deviceId, group);
    }
  }
  return [...merged.values()];
}
