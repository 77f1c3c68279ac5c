import {
  escapeTag,
  formatFieldValue,
  quoteFieldString,
  quoteIdent,
  quoteString,
  type Series,
} from '@citypulse/storage';
import type { IndicatorAggregate, IndicatorDefinition } from './indicator-definition.js';
import type { CityScope } from './indicator-scope.js';

/** The InfluxDB measurement holding every computed indicator value, tagged by indicator. */
export const INDICATOR_MEASUREMENT = 'cluster_indicator';

/** Where an indicator value comes from: whose data, through which agreements, how complete. */
export interface IndicatorProvenance {
  /** Cities with at least one device reporting through a share in the window. */
  contributingCities: string[];
  /** The agreements (share ids) the value was computed through. */
  shares: string[];
  /** Devices that reported the field in the window through a share. */
  devicesReporting: number;
  /** Devices of the indicator's type (and sites) in the cities that share them. */
  devicesShared: number;
  /** Devices of the indicator's type (and sites) in the whole cluster, shared or not. */
  devicesInScope: number;
  /** devicesReporting / devicesInScope (0 when none are in scope): a city that does not share lowers it. */
  coverage: number;
}

/** One computed value: `time` is the end of the window it covers, `windowFrom` its start. */
export interface IndicatorValue {
  indicator: string;
  time: string;
  windowFrom: string;
  /** null when no shared device reported in the window. */
  value: number | null;
  provenance: IndicatorProvenance;
}

/**
 * Each device's mean of the field over the window, within the shared scopes only: the WHERE clause
 * is built from the agreements (city, and the sites they allow), never from anything else.
 */
export function perDeviceMeansQuery(
  definition: IndicatorDefinition,
  measurement: string,
  scopes: readonly CityScope[],
  window: { fromMs: number; toMs: number },
): string {
  const f = quoteIdent(definition.field);
  const cities = scopes
    .map(({ city, sites }) => {
      const siteCondition = sites ? ` AND (${sites.map((s) => `"site" = ${quoteString(s)}`).join(' OR ')})` : '';
      return `("city" = ${quoteString(city)}${siteCondition})`;
    })
    .join(' OR ');
  return (
    `SELECT mean(${f}) AS "mean" FROM ${quoteIdent(measurement)} WHERE "device_type" ` +
    `= ${quoteString(definition.deviceType)} AND (${cities})` +
    ` AND time >= ${Math.floor(window.fromMs)}ms AND time < ${Math.ceil(window.toMs)}ms GROUP BY "city", "device_id"`
  );
}

/** Rows of perDeviceMeansQuery as (city, device, mean). */
export function toDeviceMeans(series: readonly Series[]): Array<{ city: string; deviceId: string; mean: number }> {
  const means = [];
  for (const s of series) {
    const at = s.columns.indexOf('mean');
    const mean = s.values?.[0]?.[at];
    if (typeof mean === 'number' && s.tags?.city && s.tags.device_id)
      means.push({ city: s.tags.city, deviceId: s.tags.device_id, mean });
  }
  return means;
}

export function combine(aggregate: IndicatorAggregate, values: readonly number[]): number | null {
  if (values.length === 0) return null;
  switch (aggregate) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}

/**
 * One value as a line of `cluster_indicator`: tag indicator; fields value (absent when null),
 * devices_reporting, devices_shared, devices_in_scope, coverage, contributing_cities and shares
 * (comma-separated), window_from_ms. The time is the window's end, in ms.
 */
export function indicatorLine(v: IndicatorValue): string {
  const p = v.provenance;
  const fields = [
    ...(v.value === null ? [] : [`value=${formatFieldValue(v.value)}`]),
    `devices_reporting=${p.devicesReporting}`,
    `devices_shared=${p.devicesShared}`,
    `devices_in_scope=${p.devicesInScope}`,
    `coverage=${formatFieldValue(p.coverage)}`,
    `contributing_cities=${quoteFieldString(p.contributingCities.join(','))}`,
    `shares=${quoteFieldString(p.shares.join(','))}`,
    `window_from_ms=${Date.parse(v.windowFrom)}`,
  ];
  return (
    `${INDICATOR_MEASUREMENT},` +
    `indicator=${escapeTag(v.indicator)} ${fields.join(',')} ${BigInt(Date.parse(v.time)) * 1_000_000n}`
  );
}

/** An indicator's stored values from `fromMs` to `toMs` (at most `limit`, oldest first). */
export function indicatorValuesQuery(indicator: string, fromMs: number, toMs: number, limit: number): string {
  return (
    `SELECT "value", "devices_reporting", "devices_shared", "devices_in_scope", "coverage", ` +
    `"contributing_cities", "shares", "window_from_ms" FROM ${quoteIdent(INDICATOR_MEASUREMENT)}` +
    ` WHERE "indicator" = ${quoteString(indicator)} AND time >= ${Math.floor(fromMs)}ms AND time ` +
    `< ${Math.ceil(toMs)}ms ORDER BY time ASC LIMIT ${limit}`
  );
}

/** Rows of indicatorValuesQuery (queried with epoch=ms) as values. */
export function toIndicatorValues(indicator: string, series: readonly Series[]): IndicatorValue[] {
  const [first] = series;
  if (!first) return [];
  const at = (name: string) => first.columns.indexOf(name);
  const list = (cell: unknown) => (typeof cell === 'string' && cell !== '' ? cell.split(',') : []);
  return (first.values ?? []).map((row) => ({
    indicator,
    time: new Date(Number(row[at('time')])).toISOString(),
    windowFrom: new Date(Number(row[at('window_from_ms')])).toISOString(),
    value: typeof row[at('value')] === 'number' ? (row[at('value')] as number) : null,
    provenance: {
      contributingCities: list(row[at('contributing_cities')]),
      shares: list(row[at('shares')]),
      devicesReporting: Number(row[at('devices_reporting')] ?? 0),
      devicesShared: Number(row[at('devices_shared')] ?? 0),
      devicesInScope: Number(row[at('devices_in_scope')] ?? 0),
      coverage: Number(row[at('coverage')] ?? 0),
    },
  }));
}
