import type { DeviceReadings } from '@citypulse/contracts';
import { parseLine, parseSeriesKey } from '@citypulse/storage';

/**
 * A stream entry: the line protocol of one or more publishes, identity already fixed. It is what
 * goes to InfluxDB; rule evaluation reads the same lines back (`rulesFeed`), so each reading is
 * serialised once on its way through Redis.
 */
export interface EncodedEntry {
  lp: string;
  n: number;
}

/** Packs publishes' lines into entries of at most `maxReadings` lines, in publish order. */
export function encodeEntries(publishes: readonly (readonly string[])[], maxReadings: number): EncodedEntry[] {
  const entries: EncodedEntry[] = [];
  let lines: string[] = [];
  for (const publish of publishes) {
    for (const line of publish) {
      lines.push(line);
      if (lines.length >= maxReadings) {
        entries.push({ lp: lines.join('\n'), n: lines.length });
        lines = [];
      }
    }
  }
  if (lines.length > 0) entries.push({ lp: lines.join('\n'), n: lines.length });
  return entries;
}

/**
 * The readings of `lines` grouped by device for rule evaluation, in line order. Tags are parsed
 * once per series (device), not once per line.
 */
export function rulesFeed(lines: readonly string[]): DeviceReadings[] {
  const bySeries = new Map<string, DeviceReadings>();
  for (const line of lines) {
    const parsed = parseLine(line);
    if (!parsed) continue;
    let device = bySeries.get(parsed.seriesKey);
    if (!device) {
      const { tags } = parseSeriesKey(parsed.seriesKey);
      device = { deviceId: tags.device_id ?? '', deviceType: tags.device_type ?? '', city: tags.city ?? '', site: tags.site ?? '', readings: [] };
      bySeries.set(parsed.seriesKey, device);
    }
    // Epoch ms (19-digit ns without its last 6) is the resolution rules work at.
    device.readings.push([Number(parsed.timeNs.slice(0, -6)), parsed.fields]);
  }
  return [...bySeries.values()];
}
