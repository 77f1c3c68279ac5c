import {
  cellsOfSeries,
  exportColumns,
  exportCountStatement,
  exportSelectStatement,
  rowsCounted,
  type ExportSelection,
} from './export-query.js';

const selection: ExportSelection = {
  city: 'beijing',
  deviceType: 'env-sensor',
  measurement: 'building',
  site: "o'brien",
  fields: ['co2', 'temperature'],
  fromMs: 1_000.4,
  toMs: 2_000.2,
};

describe('export InfluxQL', () => {
  it('selects site, device and the fields of one type in one city, quoted, over a ms range, up to a limit', () => {
    expect(exportSelectStatement(selection, 11)).toBe(
      `SELECT "site", "device_id", "co2", "temperature" FROM "building" WHERE "city" = 'beijing' AND ` +
        `"device_type" = 'env-sensor' AND "site" = 'o\\'brien' AND time >= 1000ms AND time < 2001ms LIMIT 11`,
    );
    expect(exportCountStatement({ ...selection, site: undefined, deviceId: 'bj-1' })).toBe(
      `SELECT count("co2"), count("temperature") FROM "building" WHERE "city" = 'beijing' AND "device_type" = ` +
        `'env-sensor' AND "device_id" = 'bj-1' AND time >= 1000ms AND time < 2001ms`,
    );
  });

  it('counts rows as the largest per-field count, 0 when nothing matched', () => {
    expect(rowsCounted([{ columns: ['time', 'count', 'count_1'], values: [['1970-01-01T00:00:00Z', 3, 7]] }])).toBe(7);
    expect(rowsCounted([])).toBe(0);
  });

  it('shapes rows into the export’s columns by column name, the fixed tags filled in', () => {
    expect(exportColumns(selection)).toEqual([
      'time',
      'city',
      'site',
      'device_id',
      'device_type',
      'co2',
      'temperature',
    ]);
    const series = {
      columns: ['time', 'temperature', 'device_id', 'site', 'co2'],
      values: [
        ['2026-05-01T00:00:00Z', 21.5, 'bj-1', 's1', null],
        ['2026-05-01T00:00:01Z', null, 'bj-2', 's2', 400],
      ],
    };
    expect(Array.from(cellsOfSeries(selection, series), (cells) => [...cells])).toEqual([
      ['2026-05-01T00:00:00Z', 'beijing', 's1', 'bj-1', 'env-sensor', null, 21.5],
      ['2026-05-01T00:00:01Z', 'beijing', 's2', 'bj-2', 'env-sensor', 400, null],
    ]);
  });
});
