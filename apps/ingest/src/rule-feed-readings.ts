import type { DeviceReadings } from '@citypulse/contracts';
import { parseLine, parseSeriesKey } from '@citypulse/storage';

/**
 * The readings of hand-off lines grouped by device for rule evaluation, in line order: the
 * fallback for entries written without the rule feed beside their lines (by a broker from before
 * it travelled there, still in Redis after an upgrade; `batchRuleFeed`). Tags are parsed once per
 * series (device), not once per line.
 */
export function ruleFeedReadings(lines: readonly string[]): DeviceReadings[] {
  const bySeries = new Map<string, DeviceReadings>();
  for (const line of lines) {
    const parsed = parseLine(line);
    if (!parsed) continue;
    let device = bySeries.get(parsed.seriesKey);
    if (!device) {
      const { tags } = parseSeriesKey(parsed.seriesKey);
      device = {
        deviceId: tags.device_id ?? '',
        deviceType: tags.device_type ?? '',
        city: tags.city ?? '',
        site: tags.site ?? '',
        readings: [],
      };
      bySeries.set(parsed.seriesKey, device);
    }
    // Epoch ms (19-digit ns without its last 6) is the resolution rules work at.
    device.readings.push([Number(parsed.timeNs.slice(0, -6)), parsed.fields]);
  }
  return [...bySeries.values()];
}
