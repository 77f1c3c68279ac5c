import { deviceTypes } from '@citypulse/devices';
import { quoteIdent, quoteString, type InfluxQueryClient, type Row } from '@citypulse/storage';
import { Backtest, type BacktestOptions, type BacktestResult, type Reading } from './backtest.js';

export interface InfluxRange {
  fromMs: number;
  toMs: number;
  /** Only these devices (an InfluxQL regex on device_id, e.g. `^sim-`), city, or device type. */
  deviceIdPattern?: string;
  city?: string;
  deviceType?: string;
  /** Read this much time per query, so a week does not arrive as one response. @defaultValue 1 hour */
  chunkMs?: number;
}

const TAGS = new Set(['time', 'device_id', 'device_type', 'city', 'site']);

/**
 * Runs readings already stored in InfluxDB through a rule set: every family measurement over the
 * range, an hour at a time, each device's readings in time order. They were accepted once, so no
 * decoding; what reaches the rules is what the alerts worker saw (stored points, not publishes).
 */
export async function backtestInflux(
  influx: InfluxQueryClient,
  range: InfluxRange,
  options: BacktestOptions,
  onChunk?: (reachedMs: number) => void,
): Promise<BacktestResult> {
  const backtest = new Backtest(options);
  const measurements = [
    ...new Set(
      Object.values(deviceTypes)
        .filter((t) => !range.deviceType || t.name === range.deviceType)
        .map((t) => t.measurement),
    ),
  ].sort();
  const chunkMs = range.chunkMs ?? 3_600_000;
  for (let from = range.fromMs; from < range.toMs; from += chunkMs) {
    const to = Math.min(range.toMs, from + chunkMs);
    const byDevice = new Map<
      string,
      { ref: { deviceId: string; deviceType: string; city: string; site: string }; readings: Reading[] }
    >();
    for (const measurement of measurements) {
      for (const row of await influx.query(query(measurement, from, to, range), { epoch: 'ms' })) {
        const deviceId = String(row.device_id);
        let entry = byDevice.get(deviceId);
        if (!entry) {
          entry = {
            ref: { deviceId, deviceType: String(row.device_type), city: String(row.city), site: String(row.site) },
            readings: [],
          };
          byDevice.set(deviceId, entry);
        }
        entry.readings.push([row.time as unknown as number, valuesOf(row)]);
      }
    }
    for (const { ref, readings } of byDevice.values()) backtest.readings(ref, readings);
    onChunk?.(to);
  }
  return backtest.finish(range.toMs);
}

function query(measurement: string, fromMs: number, toMs: number, range: InfluxRange): string {
  const where = [`time >= ${fromMs}ms`, `time < ${toMs}ms`];
  if (range.deviceIdPattern) where.push(`"device_id" =~ /${range.deviceIdPattern.replace(/\//g, '\\/')}/`);
  if (range.city) where.push(`"city" = ${quoteString(range.city)}`);
  if (range.deviceType) where.push(`"device_type" = ${quoteString(range.deviceType)}`);
  return `SELECT * FROM ${quoteIdent(measurement)} WHERE ${where.join(' AND ')} ORDER BY time ASC`;
}

/** A row's fields of its own device type (a family measurement has the other types' columns as null). */
export function valuesOf(row: Row): Record<string, number | boolean | string> {
  const type = deviceTypes[String(row.device_type)];
  const values: Record<string, number | boolean | string> = {};
  for (const [column, value] of Object.entries(row)) {
    if (TAGS.has(column) || value === null || value === undefined) continue;
    if (type && !Object.hasOwn(type.fields, column)) continue;
    values[column] = value as number | boolean | string;
  }
  return values;
}
