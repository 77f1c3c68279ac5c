/*
 * How an export's rows are written: CSV (RFC 4180: a header row, CRLF line ends, a cell quoted when
 * it holds a comma, a double quote, CR or LF, quotes doubled) or NDJSON (one JSON object per line).
 * Pure: export-stream.ts feeds it rows, it returns text.
 */

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** A stored value as InfluxDB's JSON carries it; null where the point has no such field. */
export type CellValue = string | number | boolean | null | undefined;

export interface RowFormat {
  /** What the response's Content-Type says. */
  readonly contentType: string;
  readonly extension: string;
  /** Written before the first row (CSV's header row; nothing for NDJSON). */
  header(columns: readonly string[]): string;
  /** One row, its cells in the order of `columns`, with its line end. */
  row(columns: readonly string[], cells: readonly CellValue[]): string;
  /**
   * The last line of an export that stopped before its end (the row limit reached while streaming,
   * or InfluxDB failing): a CSV comment line `#error,<code>,<message>` or an NDJSON object
   * `{"error": <code>, "message": …}`, so a reader of the file sees why it is short.
   */
  trailer(code: string, message: string): string;
}

const CSV_SPECIAL = /[",\r\n]/;

/** One CSV cell (RFC 4180 §2.6–2.7). */
export function csvCell(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = value;
  return CSV_SPECIAL.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv: RowFormat = {
  contentType: 'text/csv; charset=utf-8; header=present',
  extension: 'csv',
  header: (columns) => columns.map(csvCell).join(',') + '\r\n',
  row: (_columns, cells) => {
    let line = '';
    for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + csvCell(cells[i]);
    return line + '\r\n';
  },
  trailer: (code, message) => `#error,${csvCell(code)},${csvCell(message)}\r\n`,
};

const ndjson: RowFormat = {
  contentType: 'application/x-ndjson; charset=utf-8',
  extension: 'ndjson',
  header: () => '',
  row: (columns, cells) => {
    const object: Record<string, CellValue> = {};
    for (let i = 0; i < columns.length; i++) object[columns[i]] = cells[i] ?? null;
    return JSON.stringify(object) + '\n';
  },
  trailer: (code, message) => JSON.stringify({ error: code, message }) + '\n',
};

export function rowFormat(format: ExportFormat): RowFormat {
  return format === 'csv' ? csv : ndjson;
}
