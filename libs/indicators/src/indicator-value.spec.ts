import { parseLine } from '@citypulse/storage';
import { combine, indicatorLine, perDeviceMeansQuery, type IndicatorValue } from './indicator-value.js';
import type { IndicatorDefinition } from './indicator-definition.js';

const value: IndicatorValue = {
  indicator: 'regional-demand',
  time: '2026-12-03T10:01:00.000Z',
  windowFrom: '2026-12-03T10:00:00.000Z',
  value: 420.5,
  provenance: {
    contributingCities: ['beijing', 'tianjin'],
    shares: ['sh-000000000001', 'sh-000000000002'],
    devicesReporting: 3,
    devicesShared: 3,
    devicesInScope: 4,
    coverage: 0.75,
  },
};

describe('indicator values', () => {
  it('combines the devices’ values by the aggregate, and none as null', () => {
    expect([
      combine('sum', [1, 2, 4]),
      combine('mean', [1, 2, 6]),
      combine('min', [3, -1, 2]),
      combine('max', [3, -1, 2]),
    ]).toEqual([7, 3, -1, 3]);
    expect(combine('sum', [])).toBeNull();
  });

  it('writes a value with its provenance as one line, and a window without data without a value field', () => {
    const line = parseLine(indicatorLine(value))!;
    expect(line).toMatchObject({
      seriesKey: 'cluster_indicator,indicator=regional-demand',
      timeNs: `${Date.parse(value.time)}000000`,
    });
    expect(line.fields).toMatchObject({
      value: 420.5,
      coverage: 0.75,
      devices_in_scope: 4,
      contributing_cities: 'beijing,tianjin',
      shares: 'sh-000000000001,sh-000000000002',
      window_from_ms: Date.parse(value.windowFrom),
    });
    expect(parseLine(indicatorLine({ ...value, value: null }))!.fields).not.toHaveProperty('value');
  });

  it('confines the query to the shared cities and the sites their agreements allow', () => {
    const definition: IndicatorDefinition = {
      id: 'd',
      title: 'D',
      deviceType: 'electricity-meter',
      field: 'active_power',
      aggregate: 'sum',
      windowSeconds: 60,
      rules: [],
    };
    const query = perDeviceMeansQuery(
      definition,
      'energy',
      [
        { city: 'beijing', shareIds: ['a'] },
        { city: 'tianjin', shareIds: ['b'], sites: ['tj-1', 'tj-2'] },
      ],
      { fromMs: 0, toMs: 60_000 },
    );
    expect(query).toBe(
      `SELECT mean("active_power") AS "mean" FROM "energy" WHERE "device_type" = 'electricity-meter' AND ` +
        `(("city" = 'beijing') OR ("city" = 'tianjin' AND ("site" = 'tj-1' OR "site" = 'tj-2')))` +
        ` AND time >= 0ms AND time < 60000ms GROUP BY "city", "device_id"`,
    );
  });
});
