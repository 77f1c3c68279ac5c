import type { SharedSelection } from './share-scope.js';
import { sharedDistrictTotalsQuery, toDistrictTotals } from './shared-telemetry-queries.js';
import { districtSelections } from './shared-totals.js';

describe('per-district totals: which sites each district’s total is over', () => {
  const selection: SharedSelection = {
    city: 'tianjin',
    deviceType: 'electricity-meter',
    measurement: 'energy',
    fields: ['active_power'],
  };
  const districts = [
    { name: 'north', sites: ['tj-n1', 'tj-n2'] },
    { name: 'south', sites: ['tj-s1'] },
  ];
  const window = { fromMs: 0, toMs: 120_000, every: '1m', everyMs: 60_000 };

  it('gives each district its sites, only those the share covers, and leaves out a district with none', () => {
    expect(districtSelections(selection, districts)).toEqual([
      { district: 'north', selection: { ...selection, sites: ['tj-n1', 'tj-n2'] } },
      { district: 'south', selection: { ...selection, sites: ['tj-s1'] } },
    ]);
    expect(districtSelections({ ...selection, sites: ['tj-n2', 'tj-loose'] }, districts)).toEqual([
      { district: 'north', selection: { ...selection, sites: ['tj-n2'] } },
    ]);
    expect(districtSelections(selection, [])).toEqual([]);
  });

  it('asks InfluxDB over the district’s sites only, never the whole city, and never for a device id', () => {
    const statement = sharedDistrictTotalsQuery({ ...selection, sites: ['tj-n1', 'tj-n2'] }, window);
    expect(statement).toContain(`("site" = 'tj-n1' OR "site" = 'tj-n2')`);
    expect(statement).toMatch(/^SELECT sum\("active_power"\) AS "active_power_sum", .* FROM \(SELECT mean/);
    expect(statement).toMatch(/GROUP BY time\(1m\) fill\(none\)$/);
    expect(statement.split('FROM (')[0]).not.toContain('device_id');
    expect(() => sharedDistrictTotalsQuery(selection, window)).toThrow(/sites/);
    expect(() => sharedDistrictTotalsQuery({ ...selection, sites: [] }, window)).toThrow(/sites/);
  });

  it('keeps only intervals where at least minDevices devices reported', () => {
    const series = [
      {
        name: 'energy',
        columns: ['time', 'active_power_sum', 'active_power_mean', 'active_power_devices'],
        values: [
          [0, 7, 7 / 3, 3],
          [60_000, 3, 1.5, 2],
        ],
      },
    ];
    expect(toDistrictTotals('active_power', 'north', series, 3)).toEqual([
      { time: '1970-01-01T00:00:00.000Z', district: 'north', sum: 7, mean: 7 / 3, devices: 3 },
    ]);
  });
});
