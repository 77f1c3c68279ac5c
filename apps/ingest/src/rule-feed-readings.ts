import type { DeviceReadings } from '@citypulse/contracts';
import { parseLine, parseSeriesKey } from '@citypulse/storage';

/**
 * The readings of a hand-off batch's lines grouped by device for rule evaluation, in line order.
 * The hand-off carries only line protocol (what goes to InfluxDB), so each reading is serialised
 * once on its way through Redis; this step reads the lines back for the rules. Tags are parsed
 * once per series (device), not once per line.
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
