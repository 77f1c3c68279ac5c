import { ROLLUPS } from '@citypulse/storage';
import { cityDeviceCountQuery, deviceHistoryQuery, toCityIntervals, toFieldSeries } from './telemetry-queries.js';

const window = { fromMs: 90_000, toMs: 300_000, every: '1m', everyMs: 60_000 };

describe('telemetry InfluxQL', () => {
  it('asks for mean, min and max of each field of one device per interval, quoting what came from the request', () => {
    expect(deviceHistoryQuery('building', `it's`, ['temperature', 'co2'], window)).toBe(
      `SELECT mean("temperature") AS "temperature:mean", min("temperature") AS "temperature:min", ` +
        `max("temperature") AS "temperature:max", ` +
        `mean("co2") AS "co2:mean", min("co2") AS "co2:min", max("co2") AS "co2:max" ` +
        `FROM "building" WHERE "device_id" = 'it\\'s' AND time >= 90000ms AND time < 300000ms GROUP BY ` +
        `time(1m) fill(null)`,
    );
  });

  it('counts a city’s devices per interval from the first aligned interval, not from `from`', () => {
    const q = cityDeviceCountQuery('energy', 'power', 'beijing', window);
    expect(q).toContain(`GROUP BY time(1m), "device_id" fill(none)`);
    expect(q).toMatch(/\) WHERE time >= 60000ms AND time < 300000ms GROUP BY time\(1m\) fill\(0\)$/);
  });

  it('shapes rows into one series per field with ISO times and nulls for empty intervals', () => {
    const series = [
      {
        name: 'building',
        columns: ['time', 'temperature:mean', 'temperature:min', 'temperature:max'],
        values: [
          [60_000, 21, 20, 22],
          [120_000, null, null, null],
        ],
      },
    ];
    expect(toFieldSeries(['temperature', 'co2'], series)).toEqual([
      {
        field: 'temperature',
        points: [
          { time: '1970-01-01T00:01:00.000Z', mean: 21, min: 20, max: 22 },
          { time: '1970-01-01T00:02:00.000Z', mean: null, min: null, max: null },
        ],
      },
      {
        field: 'co2',
        points: [
          { time: '1970-01-01T00:01:00.000Z', mean: null, min: null, max: null },
          { time: '1970-01-01T00:02:00.000Z', mean: null, min: null, max: null },
        ],
      },
    ]);
    expect(toFieldSeries(['temperature'], [])).toEqual([{ field: 'temperature', points: [] }]);
  });

  it('joins city stats with device counts by interval, 0 devices where none reported', () => {
    const stats = [
      {
        columns: ['time', 'mean', 'min', 'max'],
        values: [
          [60_000, 5, 1, 9],
          [120_000, null, null, null],
        ],
      },
    ];
    const counts = [{ columns: ['time', 'devices'], values: [[60_000, 2]] }];
    expect(toCityIntervals(stats, counts)).toEqual([
      { time: '1970-01-01T00:01:00.000Z', mean: 5, min: 1, max: 9, devices: 2 },
      { time: '1970-01-01T00:02:00.000Z', mean: null, min: null, max: null, devices: 0 },
    ]);
  });
});

describe('telemetry InfluxQL from a rollup', () => {
  const hourly = ROLLUPS.find((r) => r.name === '1h')!;
  const day = { fromMs: 0, toMs: 86_400_000, every: '2h', everyMs: 7_200_000 };

  it('reads the mean as sum of sums over sum of counts, min and max of the rollup’s, from its retention policy', () => {
    expect(deviceHistoryQuery('building', 'd1', ['co2'], day, hourly)).toBe(
      `SELECT sum("sum_co2") / sum("count_co2") AS "co2:mean", min("min_co2") AS "co2:min", max("max_co2") AS ` +
        `"co2:max" ` +
        `FROM "rollup_1h"."building" WHERE "device_id" = 'd1' AND time >= 0ms AND time < 86400000ms GROUP BY ` +
        `time(2h) fill(null)`,
    );
  });

  it('counts a city’s reporting devices from the rollup’s counts', () => {
    expect(cityDeviceCountQuery('energy', 'power', 'beijing', day, hourly)).toContain(
      `SELECT sum("count_power") AS "points" FROM "rollup_1h"."energy" WHERE "city" = 'beijing'`,
    );
  });
});
