import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { NewDevice } from '@citypulse/registry';
import type { FieldProblem } from '../../common/bad-request.js';
import { flatten } from '../../common/validation.js';
import { ProvisionDeviceDto } from '../provision-device.dto.js';
import type { CsvRecord } from './parse-csv.js';

/** One device of a bulk call before validation: where it came from and what it says. */
export interface BulkRow {
  /** 1-based position among the devices (the CSV header is not a row). */
  row: number;
  /** 1-based line of the CSV file. */
  line?: number;
  value: unknown;
}

/** Everything wrong with one row, by field. */
export interface RowProblem {
  row: number;
  line?: number;
  id?: string;
  fields: FieldProblem[];
}

export const CSV_COLUMNS = ['id', 'type', 'city', 'site', 'name'] as const;
const REQUIRED_COLUMNS = ['id', 'type', 'city', 'site'];

/** A JSON body: an array of devices, or `{ "devices": [...] }`. Returns a problem for any other shape. */
export function rowsFromJson(body: unknown): BulkRow[] | FieldProblem {
  const list = Array.isArray(body) ? body : (body as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list))
    return { field: 'body', problems: ['must be a JSON array of devices, or {"devices": [...]}'] };
  return list.map((value: unknown, i) => ({ row: i + 1, value }));
}

/**
 * A CSV body: a header naming the columns (id,type,city,site and optionally name, in any order), then one device per
 * record.
 */
export function rowsFromCsv(records: CsvRecord[]): BulkRow[] | FieldProblem {
  if (records.length === 0)
    return {
      field: 'header',
      problems: ['the CSV is empty; the first line must name the columns: id,type,city,site[,name]'],
    };
  const header = records[0].values.map((h) => h.toLowerCase());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  const problems = [
    ...unknown.map((h) => `unknown column ${JSON.stringify(h)}`),
    ...missing.map((c) => `missing column ${c}`),
    ...repeated.map((h) => `column ${h} appears twice`),
  ];
  if (problems.length > 0)
    return { field: 'header', problems: [...problems, `the columns are ${CSV_COLUMNS.join(',')} (name optional)`] };
  return records.slice(1).map((record, i) => {
    const value: Record<string, string> = {};
    header.forEach((column, k) => {
      const cell = record.values[k] ?? '';
      // An empty optional cell means "no name", not an empty one.
      if (column !== 'name' || cell !== '') value[column] = cell;
    });
    if (record.values.length > header.length) value['(extra cells)'] = record.values.slice(header.length).join(',');
    return { row: i + 1, line: record.line, value };
  });
}

/**
 * Validates every row like POST /devices does (same DTO, same messages), plus what only a bulk
 * call can get wrong: the same id twice, and a city outside the caller's tenancy. Returns the
 * devices only when no row has a problem.
 */
export function validateRows(
  rows: BulkRow[],
  allowsCity: (city: string) => boolean,
  idProblem: (id: string, city: string) => string | undefined = () => undefined,
): { devices: NewDevice[]; problems: RowProblem[] } {
  const devices: NewDevice[] = [];
  const problems: RowProblem[] = [];
  const firstRowOfId = new Map<string, number>();
  for (const { row, line, value } of rows) {
    const at = { row, ...(line !== undefined ? { line } : {}) };
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({
        ...at,
        fields: [{ field: 'row', problems: ['must be an object with id, type, city, site and optionally name'] }],
      });
      continue;
    }
    const dto = plainToInstance(ProvisionDeviceDto, value);
    const fields = flatten(validateSync(dto, { whitelist: true, forbidNonWhitelisted: true }));
    const id = typeof dto.id === 'string' ? dto.id : undefined;
    if (id !== undefined) {
      const first = firstRowOfId.get(id);
      if (first !== undefined) fields.push({ field: 'id', problems: [`${id} is also in row ${first}`] });
      else firstRowOfId.set(id, row);
    }
    if (typeof dto.city === 'string' && !fields.some((f) => f.field === 'city') && !allowsCity(dto.city)) {
      fields.push({ field: 'city', problems: [`this token is not allowed to manage devices in city ${dto.city}`] });
    }
    const namespace =
      id !== undefined && typeof dto.city === 'string' && !fields.some((f) => f.field === 'id' || f.field === 'city')
        ? idProblem(id, dto.city)
        : undefined;
    if (namespace) fields.push({ field: 'id', problems: [namespace] });
    if (fields.length > 0) problems.push({ ...at, ...(id !== undefined ? { id } : {}), fields });
    else
      devices.push({
        id: dto.id,
        type: dto.type,
        city: dto.city,
        site: dto.site,
        ...(dto.name ? { name: dto.name } : {}),
      });
  }
  return { devices: problems.length === 0 ? devices : [], problems };
}
