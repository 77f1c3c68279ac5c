import type { DeviceReadings, DeviceRef, FieldValue } from './reading.js';
import type { PackedDeviceReadings } from './rule-job.js';

/**
 * One device's part of the rule feed as it travels from the ingest worker to a rule job: its
 * readings' times as numbers (ingest needs them: last seen, store delay) and their values as the
 * JSON text the broker wrote, which only rule evaluation parses.
 */
export interface FeedDevice extends DeviceRef {
  fields: string[];
  /** Each reading's epoch ms, in order. */
  times: number[];
  /** The readings' values as JSON, one array per time: `[[value of fields[0], …], …]` (null where absent). */
  values: string;
}

type ValueRows = Array<Array<FieldValue | null>>;

export function packedToFeed(packed: PackedDeviceReadings): FeedDevice {
  const { rows, ...head } = packed;
  return {
    ...head,
    times: rows.map((row) => row[0] as number),
    values: JSON.stringify(rows.map((row) => row.slice(1))),
  };
}

export function feedToPacked(feed: FeedDevice): PackedDeviceReadings {
  const { times, values, ...head } = feed;
  const valueRows = JSON.parse(values) as ValueRows;
  return { ...head, rows: times.map((ms, i) => [ms, ...(valueRows[i] ?? [])]) };
}

/** A feed part as rules take it: one values object per reading, absent fields left out. */
export function feedDeviceReadings(feed: FeedDevice): DeviceReadings {
  const valueRows = JSON.parse(feed.values) as ValueRows;
  const { fields } = feed;
  const readings = feed.times.map((ms, i): [number, Record<string, FieldValue>] => {
    const row = valueRows[i] ?? [];
    const values: Record<string, FieldValue> = {};
    for (let f = 0; f < fields.length; f++) {
      const value = row[f];
      if (value !== null && value !== undefined) values[fields[f]] = value;
    }
    return [ms, values];
  });
  return { deviceId: feed.deviceId, deviceType: feed.deviceType, city: feed.city, site: feed.site, readings };
}

/**
 * `mergeByDevice` for feed parts: one part per device, in order of first appearance, each device's
 * readings in stream order. Parts with the same fields are joined as text (their values never
 * parsed); a device whose parts name different fields is re-laid onto their union.
 */
export function mergeFeedByDevice(parts: readonly FeedDevice[]): FeedDevice[] {
  const byDevice = new Map<string, FeedDevice[]>();
  for (const part of parts) {
    const group = byDevice.get(part.deviceId);
    if (group) group.push(part);
    else byDevice.set(part.deviceId, [part]);
  }
  const merged: FeedDevice[] = [];
  for (const group of byDevice.values()) {
    if (group.length === 1) merged.push(group[0]);
    else if (group.every((part) => sameFields(part.fields, group[0].fields))) merged.push(joinParts(group));
    else merged.push(packedToFeed(mergeByDevice(group.map(feedToPacked))[0]));
  }
  return merged;
}

function joinParts(group: readonly FeedDevice[]): FeedDevice {
  const times: number[] = [];
  const values: string[] = [];
  for (const part of group) {
    for (const ms of part.times) times.push(ms);
    // `[[…],[…]]` without its outer brackets; a part with no readings adds nothing.
    if (part.values.length > 2) values.push(part.values.slice(1, -1));
  }
  return { ...group[0], times, values: '[' + values.join(',') + ']' };
}

/**
 * One group per device from parts in stream order (several publishes of a device in one batch),
 * each device's rows in order, devices in order of first appearance. A device's only part is
 * returned as it is; parts merged go into a new group, so no part passed in is changed. A later part
 * with other fields is re-laid onto the union of the fields (`mergeFeedByDevice` uses it for a
 * device whose parts name different fields).
 */
export function mergeByDevice(parts: readonly PackedDeviceReadings[]): PackedDeviceReadings[] {
  const byDevice = new Map<string, PackedDeviceReadings>();
  const merges = new Set<PackedDeviceReadings>();
  for (const part of parts) {
    let merged = byDevice.get(part.deviceId);
    if (!merged) {
      byDevice.set(part.deviceId, part);
      continue;
    }
    if (!merges.has(merged)) {
      merged = { ...merged, fields: [...merged.fields], rows: [...merged.rows] };
      merges.add(merged);
      byDevice.set(part.deviceId, merged);
    }
    if (sameFields(merged.fields, part.fields)) for (const row of part.rows) merged.rows.push(row);
    else appendRelaid(merged, part);
  }
  return [...byDevice.values()];
}

export function sameFields(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function appendRelaid(merged: PackedDeviceReadings, part: PackedDeviceReadings): void {
  const columns = part.fields.map((name) => {
    const at = merged.fields.indexOf(name);
    if (at >= 0) return at + 1;
    merged.fields.push(name);
    return merged.fields.length;
  });
  // Earlier rows get null for the fields they lacked, so every row has a value per field (copies:
  // the rows are also their parts').
  merged.rows = merged.rows.map((row) =>
    row.length > merged.fields.length
      ? row
      : [...row, ...new Array<null>(merged.fields.length + 1 - row.length).fill(null)],
  );
  for (const row of part.rows) {
    const relaid = new Array<FieldValue | null>(merged.fields.length + 1).fill(null);
    relaid[0] = row[0];
    for (let i = 0; i < columns.length; i++) relaid[columns[i]] = row[i + 1] ?? null;
    merged.rows.push(relaid);
  }
}
