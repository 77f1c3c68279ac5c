import { cityScopes, type ClusterShareTerms } from './indicator-scope.js';
import type { IndicatorDefinition } from './indicator-definition.js';

const demand: IndicatorDefinition = {
  id: 'demand',
  title: 'Demand',
  deviceType: 'electricity-meter',
  field: 'active_power',
  aggregate: 'sum',
  windowSeconds: 300,
  rules: [],
};
const window = { fromMs: Date.parse('2026-12-03T10:00:00Z'), toMs: Date.parse('2026-12-03T10:05:00Z') };
const share = (id: string, change: Partial<ClusterShareTerms> = {}): ClusterShareTerms => ({
  id,
  fromCity: 'tianjin',
  toCity: '*',
  deviceTypes: ['electricity-meter'],
  fields: ['active_power'],
  granularity: { kind: 'raw' },
  from: '2026-12-03T00:00:00Z',
  to: '2026-12-04T00:00:00Z',
  ...change,
});

describe('which shares an indicator may use', () => {
  it('takes cluster shares of the indicator’s type and field covering the window', () => {
    expect(cityScopes(demand, [share('a'), share('b', { fromCity: 'beijing' })], window)).toEqual([
      { city: 'beijing', shareIds: ['b'] },
      { city: 'tianjin', shareIds: ['a'] },
    ]);
  });

  it('leaves out a share to one city, of another field or type, outside the window, coarser than the window, of totals only, or of alert events', () => {
    const refused = [
      share('to-one-city', { toCity: 'beijing' }),
      share('other-field', { fields: ['voltage'] }),
      share('other-type', { deviceTypes: ['solar-inverter'] }),
      share('ends-early', { to: '2026-12-03T10:04:00Z' }),
      share('starts-late', { from: '2026-12-03T10:01:00Z' }),
      share('coarser', { granularity: { kind: 'aggregate', minIntervalMinutes: 15 } }),
      share('alert-events', { kind: 'alerts' }),
      share('site-totals', { granularity: { kind: 'site-totals', minIntervalMinutes: 1, minDevices: 3 } }),
      share('district-totals', { granularity: { kind: 'district-totals', minIntervalMinutes: 1, minDevices: 3 } }),
    ];
    expect(cityScopes(demand, refused, window)).toEqual([]);
    expect(
      cityScopes(demand, [share('fine', { granularity: { kind: 'aggregate', minIntervalMinutes: 5 } })], window),
    ).toEqual([{ city: 'tianjin', shareIds: ['fine'] }]);
  });

  it('narrows to the sites both the indicator and the share allow, and unions a city’s shares', () => {
    const border = { ...demand, sites: ['tj-border-1', 'tj-border-2'] };
    expect(cityScopes(border, [share('a', { sites: ['tj-border-2', 'tj-port'] })], window)).toEqual([
      { city: 'tianjin', shareIds: ['a'], sites: ['tj-border-2'] },
    ]);
    expect(cityScopes(border, [share('a', { sites: ['tj-port'] })], window)).toEqual([]);
    expect(cityScopes(demand, [share('a', { sites: ['s1'] }), share('b', { sites: ['s2'] })], window)).toEqual([
      { city: 'tianjin', shareIds: ['a', 'b'], sites: ['s1', 's2'] },
    ]);
    expect(cityScopes(demand, [share('a', { sites: ['s1'] }), share('b')], window)).toEqual([
      { city: 'tianjin', shareIds: ['a', 'b'] },
    ]);
  });
});
