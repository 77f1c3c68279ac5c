import { deviceTypeNames } from '@citypulse/devices';
import { CITY_PATTERN } from '@citypulse/registry';
import { InfluxQueryClient } from '@citypulse/storage';
import type { AppConfig } from '@citypulse/config';
import { parseDuration, parseList, parseTime, UsageError } from './args.js';

/** `--city beijing` or `--city beijing,tianjin`: required, each a city name as the registry spells them. */
export function parseCities(text: string | undefined): string[] {
  const cities = parseList(text, []);
  if (cities.length === 0)
    throw new UsageError('--city: which city, e.g. --city beijing (several: --city beijing,tianjin)');
  for (const city of cities)
    if (!CITY_PATTERN.test(city))
      throw new UsageError(`--city ${city}: a city name is lower-case letters, digits and "-"`);
  return cities;
}

/** `--types env-sensor,hvac-unit`: catalogue device types; undefined (every type) when absent. */
export function parseTypes(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const types = parseList(text, []);
  const known = deviceTypeNames();
  for (const type of types)
    if (!known.includes(type)) throw new UsageError(`--types ${type}: not a device type (${known.join(', ')})`);
  if (types.length === 0) throw new UsageError('--types: at least one device type, e.g. --types env-sensor');
  return types;
}

export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** `--from <ISO> [--to <ISO>]` or `--last 24h` (ending now, or at --to). */
export function parseTimeRange(values: { from?: string; to?: string; last?: string }, what = '--influx'): TimeRange {
  const toMs = values.to ? parseTime('to', values.to) : Date.now();
  if (values.from && values.last) throw new UsageError('--from and --last: give one of them');
  const fromMs = values.from
    ? parseTime('from', values.from)
    : values.last
      ? toMs - parseDuration('last', values.last)
      : undefined;
  if (fromMs === undefined) throw new UsageError(`${what} needs --from (and optionally --to), or --last 24h`);
  if (!(fromMs < toMs))
    throw new UsageError(
      `--from ${new Date(fromMs).toISOString()} must be before --to ${new Date(toMs).toISOString()}`,
    );
  return { fromMs, toMs };
}

/**
 * The options that say which InfluxDB to read (defaults: the service's CP_INFLUX_* settings, else the local stack's).
 */
export const INFLUX_OPTIONS = {
  'influx-url': { type: 'string' },
  db: { type: 'string' },
} as const;

export function influxClient(
  values: { 'influx-url'?: string; db?: string },
  config: AppConfig | undefined,
): InfluxQueryClient {
  return new InfluxQueryClient({
    url: values['influx-url'] ?? config?.influx.url ?? 'http://127.0.0.1:18086',
    database: values.db ?? config?.influx.database ?? 'citypulse',
    token: config?.influx.token,
  });
}
