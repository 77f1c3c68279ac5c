import { parseCsv } from './parse-csv.js';
import { rowsFromCsv, rowsFromJson, validateRows, type BulkRow } from './bulk-rows.js';

const everyCity = () => true;
const good = (id: string, city = 'beijing') => ({ id, type: 'env-sensor', city, site: 'bj-tower-1' });

describe('bulk provisioning rows', () => {
  it('accepts a JSON array or {devices: [...]}, numbering rows from 1', () => {
    expect(rowsFromJson([good('a')])).toEqual([{ row: 1, value: good('a') }]);
    expect(rowsFromJson({ devices: [good('a'), good('b')] })).toHaveLength(2);
    expect(rowsFromJson({ items: [] })).toEqual({ field: 'body', problems: [expect.stringContaining('JSON array')] });
  });

  it('maps CSV columns by their header in any order, keeping file lines and leaving an empty name out', () => {
    const rows = rowsFromCsv(
      parseCsv('site,id,city,type,name\nbj-1,a,beijing,lift,\nbj-2,b,beijing,lift,Main lift\n'),
    ) as BulkRow[];
    expect(rows).toEqual([
      { row: 1, line: 2, value: { site: 'bj-1', id: 'a', city: 'beijing', type: 'lift' } },
      { row: 2, line: 3, value: { site: 'bj-2', id: 'b', city: 'beijing', type: 'lift', name: 'Main lift' } },
    ]);
  });

  it('refuses a CSV header with unknown or missing columns, naming them', () => {
    const problem = rowsFromCsv(parseCsv('id,kind,city\nx,y,z'));
    expect(problem).toEqual({
      field: 'header',
      problems: expect.arrayContaining(['unknown column "kind"', 'missing column type', 'missing column site']),
    });
  });

  it('returns the devices when every row is good', () => {
    const { devices, problems } = validateRows(
      rowsFromJson([good('a'), { ...good('b'), name: 'B' }]) as BulkRow[],
      everyCity,
    );
    expect(problems).toEqual([]);
    expect(devices).toEqual([good('a'), { ...good('b'), name: 'B' }]);
  });

  it('names the row, line, id and field of every bad row, and returns no devices then', () => {
    const rows = rowsFromCsv(
      parseCsv('id,type,city,site\nok-1,lift,beijing,bj-1\nbad-2,toaster,beijing,bj-1\n,lift,Beijing,bj-1\n'),
    ) as BulkRow[];
    const { devices, problems } = validateRows(rows, everyCity);
    expect(devices).toEqual([]);
    expect(problems).toEqual([
      { row: 2, line: 3, id: 'bad-2', fields: [{ field: 'type', problems: [expect.stringContaining('catalogue')] }] },
      {
        row: 3,
        line: 4,
        id: '',
        fields: expect.arrayContaining([
          expect.objectContaining({ field: 'id' }),
          expect.objectContaining({ field: 'city' }),
        ]),
      },
    ]);
  });

  it('flags an id repeated within the call and a row that is not an object', () => {
    const { problems } = validateRows(rowsFromJson([good('a'), good('a'), 'a']) as BulkRow[], everyCity);
    expect(problems).toEqual([
      { row: 2, id: 'a', fields: [{ field: 'id', problems: ['a is also in row 1'] }] },
      { row: 3, fields: [{ field: 'row', problems: [expect.stringContaining('object')] }] },
    ]);
  });

  it('refuses unknown fields and cities outside the caller’s tenancy', () => {
    const { problems } = validateRows(
      rowsFromJson([{ ...good('a'), secret: 'x' }, good('b', 'tianjin')]) as BulkRow[],
      (city) => city === 'beijing',
    );
    expect(problems).toEqual([
      { row: 1, id: 'a', fields: [{ field: 'secret', problems: [expect.stringContaining('should not exist')] }] },
      {
        row: 2,
        id: 'b',
        fields: [{ field: 'city', problems: ['this token is not allowed to manage devices in city tianjin'] }],
      },
    ]);
  });
});
