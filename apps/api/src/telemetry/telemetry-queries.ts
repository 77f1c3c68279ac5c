import { quoteIdent, quoteString, type Rollup, type Series } from '@citypulse/storage';
import type { TimeWindow } from './interval.js';

/*
 * InfluxQL for the history and per-city aggregate queries, and the shaping of InfluxDB's answer
 * into the API's series. Pure (no I/O); the controller runs the statements through
 * InfluxQueryClient, which speaks InfluxQL over /query to InfluxDB 1.x and the v1-compatible
 * /query of 2.x (a DBRP mapping) alike.
 */

export interface IntervalStats {
  time: string;
  mean: number | null;
  min: number | null;
  max: number | null;
}

export interface FieldSeries {
  field: string;
  points: IntervalStats[];
}

export interface CityInterval extends IntervalStats {
  /** Devices that sent at least one value of the field in the interval. */
  devices: number;
}

/** Epoch-ms literals: exact, and no time-zone parsing on the server. */
function timeRange(fromMs: number, toMs: number): string {
  return `time >= ${Math.floor(fromMs)}ms AND time < ${Math.ceil(toMs)}ms`;
}

/**
 * mean/min/max of a field per interval. From a rollup (fields mean_f, min_f, max_f, sum_f, count_f
 * per rollup interval) the mean is sum(sum_f) / sum(count_f) — the mean of the raw readings, not a
 * mean of means — and min/max the extremes of the rollup's, so both answer the same numbers.
 */
function statsColumns(field: string, prefix: string, rollup?: Rollup): string {
  const as = (stat: string) => ` AS ${quoteIdent(`${prefix}${stat}`)}`;
  if (!rollup) {
    const f = quoteIdent(field);
    return `mean(${f})${as('mean')}, min(${f})${as('min')}, max(${f})${as('max')}`;
  }
  const f = (stat: string) => quoteIdent(`${stat}_${field}`);
  return (
    `sum(${f('sum')}) / sum(${f('count')})${as('mean')}, min(${f('min')})${as('min')}, ` +
    `max(${f('max')})${as('max')}`
  );
}

/** The measurement, in its rollup's retention policy when read from one. */
function source(measurement: string, rollup?: Rollup): string {
  return rollup ? `${quoteIdent(rollup.retentionPolicy)}.${quoteIdent(measurement)}` : quoteIdent(measurement);
}

/** Readings of a field in an interval: count(f) of raw readings, sum(count_f) of a rollup's. */
function countOf(field: string, rollup?: Rollup): string {
  return rollup ? `sum(${quoteIdent(`count_${field}`)})` : `count(${quoteIdent(field)})`;
}

/**
 * mean/min/max of each field per interval for one device. fill(null) (InfluxQL's default) keeps
 * an empty interval as a row of nulls, so a chart shows the gap instead of joining across it.
 */
export function deviceHistoryQuery(
  measurement: string,
  deviceId: string,
  fields: readonly string[],
  window: TimeWindow,
  rollup?: Rollup,
): string {
  const columns = fields.map((field) => statsColumns(field, `${field}:`, rollup)).join(', ');
  return (
    `SELECT ${columns} FROM ${source(measurement, rollup)} WHERE "device_id" = ${quoteString(deviceId)} ` +
    `AND ${timeRange(window.fromMs, window.toMs)} GROUP BY time(${window.every}) fill(null)`
  );
}

/** mean/min/max of one field per interval over every device of a city. */
export function cityStatsQuery(
  measurement: string,
  field: string,
  city: string,
  window: TimeWindow,
  rollup?: Rollup,
): string {
  return (
    `SELECT ${statsColumns(field, '', rollup)} FROM ${source(measurement, rollup)} WHERE "city" ` +
    `= ${quoteString(city)} AND ${timeRange(window.fromMs, window.toMs)} GROUP BY time(${window.every}) fill(null)`
  );
}

/**
 * Devices reporting the field per interval. InfluxQL cannot count distinct tag values, so the
 * subquery makes one row per (interval, device) with data (fill(none)) and the outer query counts
 * them. The outer range starts at the first interval's aligned start, which may precede `from`:
 * filtering on `from` itself would drop that interval's rows.
 */
export function cityDeviceCountQuery(
  measurement: string,
  field: string,
  city: string,
  window: TimeWindow,
  rollup?: Rollup,
): string {
  const alignedFrom = Math.floor(window.fromMs / window.everyMs) * window.everyMs;
  const inner =
    `SELECT ${countOf(field, rollup)} AS "points" FROM ${source(measurement, rollup)} WHERE "city" ` +
    `= ${quoteString(city)} AND ${timeRange(window.fromMs, window.toMs)} GROUP BY time(${window.every}), ` +
    `"device_id" fill(none)`;
  return (
    `SELECT count("points") AS "devices" FROM (${inner}) WHERE ${timeRange(alignedFrom, window.toMs)} GROUP BY ` +
    `time(${window.every}) fill(0)`
  );
}

const numberOrNull = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const isoOf = (epochMs: unknown): string => new Date(Number(epochMs)).toISOString();

/** Rows of the first series (queried with epoch=ms) as column → value maps. */
function rowsOf(series: readonly Series[]): Array<Record<string, unknown>> {
  const [first] = series;
  if (!first) return [];
  return (first.values ?? []).map((values) =>
    Object.fromEntries(first.columns.map((column, i) => [column, values[i]])),
  );
}

/**
 * The device history answer: a series per requested field, in the requested order. A device
 * with no point in range gets empty series (InfluxDB returns no series at all then).
 */
export function toFieldSeries(fields: readonly string[], series: readonly Series[]): FieldSeries[] {
  const rows = rowsOf(series);
  return fields.map((field) => ({
    field,
    points: rows.map((row) => ({
      time: isoOf(row.time),
      mean: numberOrNull(row[`${field}:mean`]),
      min: numberOrNull(row[`${field}:min`]),
      max: numberOrNull(row[`${field}:max`]),
    })),
  }));
}

/** The city aggregate answer: stats and device counts joined by interval start. */
export function toCityIntervals(stats: readonly Series[], counts: readonly Series[]): CityInterval[] {
  const devicesAt = new Map(rowsOf(counts).map((row) => [Number(row.time), numberOrNull(row.devices) ?? 0]));
  return rowsOf(stats).map((row) => ({
    time: isoOf(row.time),
    mean: numberOrNull(row.mean),
    min: numberOrNull(row.min),
    max: numberOrNull(row.max),
    devices: devicesAt.get(Number(row.time)) ?? 0,
  }));
}
