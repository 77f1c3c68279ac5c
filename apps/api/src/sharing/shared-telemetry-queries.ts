import { quoteIdent, quoteString, type Series } from '@citypulse/storage';
import type { SharedTotal } from '@citypulse/contracts';
import type { TimeWindow } from '../telemetry/interval.js';
import type { SharedSelection } from './share-scope.js';

/*
 * InfluxQL for reads through a share. Pure. Every statement is confined by the agreement: the
 * offering city, the share's device types (and sites), one shared field, the clipped time range —
 * the WHERE clause is built here from the agreement, never from the caller's words alone.
 */

/** What a read through a share may touch: the offering city's devices of these types (and sites). */
export interface SharedScope extends Omit<SharedSelection, 'fields'> {
  field: string;
}

/** The most raw readings one read through a raw share returns. */
export const MAX_RAW_READINGS = 10_000;

function scopeCondition(scope: Omit<SharedSelection, 'fields'>, fromMs: number, toMs: number): string {
  const sites =
    scope.sites && scope.sites.length > 0
      ? ` AND (${scope.sites.map((s) => `"site" = ${quoteString(s)}`).join(' OR ')})`
      : '';
  return (
    `"city" = ${quoteString(scope.city)} AND "device_type" = ${quoteString(scope.deviceType)}${sites}` +
    ` AND time >= ${Math.floor(fromMs)}ms AND time < ${Math.ceil(toMs)}ms`
  );
}

/**
 * mean/min/max of the field per interval over the scope's devices; columns `<field>:mean` etc., as toFieldSeries reads
 * them.
 */
export function sharedStatsQuery(scope: SharedScope, window: TimeWindow): string {
  const f = quoteIdent(scope.field);
  const as = (stat: string) => quoteIdent(`${scope.field}:${stat}`);
  return (
    `SELECT mean(${f}) AS ${as('mean')}, min(${f}) AS ${as('min')}, max(${f}) AS ${as('max')} ` +
    `FROM ${quoteIdent(scope.measurement)}` +
    ` WHERE ${scopeCondition(scope, window.fromMs, window.toMs)} GROUP BY time(${window.every}) fill(null)`
  );
}

/** The statistics each shared field gets in an aggregate export, as columns `<field>_<stat>`. */
export const EXPORT_STATS = ['mean', 'min', 'max'] as const;

/** For an aggregate export: mean/min/max of each field per interval, empty intervals left out. */
export function sharedStatsExportQuery(selection: SharedSelection, window: TimeWindow): string {
  const stats = selection.fields.flatMap((field) =>
    EXPORT_STATS.map((stat) => `${stat}(${quoteIdent(field)}) AS ${quoteIdent(`${field}_${stat}`)}`),
  );
  return (
    `SELECT ${stats.join(', ')} FROM ${quoteIdent(selection.measurement)}` +
    ` WHERE ${scopeCondition(selection, window.fromMs, window.toMs)} GROUP BY time(${window.every}) fill(none)`
  );
}

/** The readings themselves (raw shares only), oldest first, at most MAX_RAW_READINGS. */
export function sharedRawQuery(scope: SharedScope, fromMs: number, toMs: number): string {
  return (
    `SELECT ${quoteIdent(scope.field)}, "device_id", "site" FROM ${quoteIdent(scope.measurement)} ` +
    `WHERE ${scopeCondition(scope, fromMs, toMs)} LIMIT ${MAX_RAW_READINGS}`
  );
}

export interface SharedReading {
  time: string;
  deviceId: string;
  site: string | null;
  value: number;
}

/** Rows of sharedRawQuery (queried with epoch=ms) as readings. */
export function toSharedReadings(field: string, series: readonly Series[]): SharedReading[] {
  const [first] = series;
  if (!first) return [];
  const at = (name: string) => first.columns.indexOf(name);
  const [time, value, deviceId, site] = [at('time'), at(field), at('device_id'), at('site')];
  return (first.values ?? [])
    .filter((row) => typeof row[value] === 'number')
    .map((row) => ({
      time: new Date(Number(row[time])).toISOString(),
      deviceId: String(row[deviceId]),
      site: row[site] === null ? null : String(row[site] as string),
      value: row[value] as number,
    }));
}

/**
 * The statistics each field gets in a totals answer, as columns `<field>_<stat>`; `devices` counts the site's (the
 * district's) devices reporting.
 */
export const SITE_TOTAL_STATS = ['sum', 'mean', 'devices'] as const;

/**
 * For a totals share: per interval, the sum and mean over a group's devices of each device's mean of the field, and
 * how many devices reported. The inner statement reduces each device to one value per interval; the outer one never
 * selects a device id, so none leaves InfluxDB. `bySite`: one series per site (tag `site`, a site-totals share);
 * else one series over all the selection's sites — a district-totals share asks once per district, its sites as the
 * selection's. The minDevices threshold is applied by the caller (InfluxQL has no HAVING).
 */
function sharedTotalsQuery(selection: SharedSelection, window: TimeWindow, bySite: boolean): string {
  const perDevice = selection.fields.map((field) => `mean(${quoteIdent(field)}) AS ${quoteIdent(field)}`);
  const totals = selection.fields.flatMap((field) => {
    const f = quoteIdent(field);
    return [
      `sum(${f}) AS ${quoteIdent(`${field}_sum`)}`,
      `mean(${f}) AS ${quoteIdent(`${field}_mean`)}`,
      `count(${f}) AS ${quoteIdent(`${field}_devices`)}`,
    ];
  });
  const site = bySite ? ', "site"' : '';
  const inner =
    `SELECT ${perDevice.join(', ')} FROM ${quoteIdent(selection.measurement)}` +
    ` WHERE ${scopeCondition(selection, window.fromMs, window.toMs)} GROUP BY time(${window.every})${site}, ` +
    `"device_id" fill(none)`;
  return (
    `SELECT ${totals.join(', ')} FROM (${inner}) WHERE time >= ${Math.floor(window.fromMs)}ms AND time ` +
    `< ${Math.ceil(window.toMs)}ms GROUP BY time(${window.every})${site} fill(none)`
  );
}

/** Per site and interval (one series per site, tag `site`): a site-totals share's statement. */
export function sharedSiteTotalsQuery(selection: SharedSelection, window: TimeWindow): string {
  return sharedTotalsQuery(selection, window, true);
}

/**
 * Per interval over one district's sites (the selection's, never empty: no sites would mean every site of the city).
 */
export function sharedDistrictTotalsQuery(selection: SharedSelection, window: TimeWindow): string {
  if (!selection.sites || selection.sites.length === 0)
    throw new Error('a district total is asked over the district’s sites: none given');
  return sharedTotalsQuery(selection, window, false);
}

export type SiteTotal = Extract<SharedTotal, { site: string }>;
export type DistrictTotal = Extract<SharedTotal, { district: string }>;

/**
 * Rows of a totals statement (queried with epoch=ms) for one field, a row per group and interval in which at least
 * minDevices devices reported — the others are left out. `groupOf` names a series' group.
 */
function toTotals<T extends SharedTotal>(
  field: string,
  series: readonly Series[],
  minDevices: number,
  groupOf: (s: Series) => Omit<T, 'time' | 'sum' | 'mean' | 'devices'>,
): T[] {
  const totals: T[] = [];
  for (const s of series) {
    const at = (name: string) => s.columns.indexOf(name);
    const [time, sum, mean, devices] = [at('time'), at(`${field}_sum`), at(`${field}_mean`), at(`${field}_devices`)];
    for (const row of s.values ?? []) {
      const n = row[devices];
      if (typeof n !== 'number' || n < minDevices) continue;
      totals.push({
        time: new Date(Number(row[time])).toISOString(),
        ...groupOf(s),
        sum: row[sum] as number,
        mean: row[mean] as number,
        devices: n,
      } as T);
    }
  }
  return totals;
}

/** Rows of sharedSiteTotalsQuery for one field, sites with too few devices left out, oldest first. */
export function toSiteTotals(field: string, series: readonly Series[], minDevices: number): SiteTotal[] {
  return toTotals<SiteTotal>(field, series, minDevices, (s) => ({ site: s.tags?.site ?? '' })).sort(
    (a, b) => a.time.localeCompare(b.time) || a.site.localeCompare(b.site),
  );
}

/** Rows of sharedDistrictTotalsQuery for one field and district, intervals with too few devices left out. */
export function toDistrictTotals(
  field: string,
  district: string,
  series: readonly Series[],
  minDevices: number,
): DistrictTotal[] {
  return toTotals<DistrictTotal>(field, series, minDevices, () => ({ district }));
}

/** District totals of several districts, oldest first, then by district. */
export function byTimeAndDistrict(totals: DistrictTotal[]): DistrictTotal[] {
  return totals.sort((a, b) => a.time.localeCompare(b.time) || a.district.localeCompare(b.district));
}
