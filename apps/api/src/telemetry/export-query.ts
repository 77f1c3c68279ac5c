import { quoteIdent, quoteString, type Series } from '@citypulse/storage';
import type { CellValue } from './export-format.js';

/*
 * The InfluxQL of an export and the shaping of InfluxDB's rows into the export's columns. Pure (no
 * I/O): export.controller.ts decides what is asked (tenancy, validation), export-stream.ts moves it.
 */

/** What one export reads: one device type's points in one city, narrowed by site and device. */
export interface ExportSelection {
  city: string;
  /** The device type; its family is the measurement. */
  deviceType: string;
  measurement: string;
  site?: string;
  /** Only these sites' points (a share's sites); with `site` too, both apply. */
  sites?: readonly string[];
  deviceId?: string;
  /** Fields of the type, in the order they become columns. */
  fields: readonly string[];
  fromMs: number;
  toMs: number;
}

/** The tag columns every export starts with, after `time`. */
const TAG_COLUMNS = ['city', 'site', 'device_id', 'device_type'] as const;

/** The export's columns: time, the tags, then the fields asked for. */
export function exportColumns(selection: ExportSelection): string[] {
  return ['time', ...TAG_COLUMNS, ...selection.fields];
}

function whereClause(s: ExportSelection): string {
  const conditions = [`"city" = ${quoteString(s.city)}`, `"device_type" = ${quoteString(s.deviceType)}`];
  if (s.site !== undefined) conditions.push(`"site" = ${quoteString(s.site)}`);
  if (s.sites !== undefined)
    conditions.push(`(${s.sites.map((site) => `"site" = ${quoteString(site)}`).join(' OR ')})`);
  if (s.deviceId !== undefined) conditions.push(`"device_id" = ${quoteString(s.deviceId)}`);
  // Epoch-ms literals: exact, and no time-zone parsing on the server.
  conditions.push(`time >= ${Math.floor(s.fromMs)}ms AND time < ${Math.ceil(s.toMs)}ms`);
  return conditions.join(' AND ');
}

/**
 * The rows, oldest first. Only `site` and `device_id` are read as tags: city and type are fixed by
 * the WHERE clause. InfluxDB returns a row only where at least one of the selected fields has a
 * value. `limit`: InfluxDB stops there (the stream asks one more than it may send, to notice more).
 */
export function exportSelectStatement(s: ExportSelection, limit: number): string {
  const columns = ['site', 'device_id', ...s.fields].map(quoteIdent).join(', ');
  return `SELECT ${columns} FROM ${quoteIdent(s.measurement)} WHERE ${whereClause(s)} LIMIT ${limit}`;
}

/**
 * Values of each selected field in the selection. The largest count is the number of rows the
 * export holds when every point carries that field (as each point of a type carries its required
 * fields); otherwise a lower bound, and the stream's own limit check (export-stream.ts) catches the rest.
 */
export function exportCountStatement(s: ExportSelection): string {
  const counts = s.fields.map((field) => `count(${quoteIdent(field)})`).join(', ');
  return `SELECT ${counts} FROM ${quoteIdent(s.measurement)} WHERE ${whereClause(s)}`;
}

/** The row count an answer to exportCountStatement gives: its largest count (0 when nothing matched). */
export function rowsCounted(series: readonly Series[]): number {
  let rows = 0;
  for (const s of series) {
    for (const values of s.values ?? []) {
      s.columns.forEach((column, i) => {
        const value = values[i];
        if (column !== 'time' && typeof value === 'number' && value > rows) rows = value;
      });
    }
  }
  return rows;
}

/**
 * Turns one series of InfluxDB's answer into cells in exportColumns order. Columns are found by
 * name once per series (InfluxDB names them as selected), not assumed by position. One array is
 * filled again for each row (a million rows would otherwise be a million arrays for the collector):
 * use each row before asking for the next.
 */
export function* cellsOfSeries(selection: ExportSelection, series: Series): Generator<readonly CellValue[]> {
  const at = (name: string) => series.columns.indexOf(name);
  const time = at('time');
  const site = at('site');
  const device = at('device_id');
  const fieldAt = selection.fields.map(at);
  const cells: CellValue[] = [null, selection.city, null, null, selection.deviceType, ...fieldAt.map(() => null)];
  for (const values of series.values ?? []) {
    cells[0] = values[time] as CellValue;
    cells[2] = cellAt(values, site);
    cells[3] = cellAt(values, device);
    for (let i = 0; i < fieldAt.length; i++) cells[5 + i] = cellAt(values, fieldAt[i]);
    yield cells;
  }
}

const cellAt = (values: readonly unknown[], i: number): CellValue => (i < 0 ? null : (values[i] as CellValue));
