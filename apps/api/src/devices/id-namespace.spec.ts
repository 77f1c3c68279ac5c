import { Tenancy } from '../auth/tenancy.js';
import { claimedCities, scopedIdProblem } from './id-namespace.js';

describe('device id namespaces', () => {
  it('lets an admin of every city use any id', () => {
    expect(scopedIdProblem('bj-env-0042', 'beijing', Tenancy.root())).toBeUndefined();
  });

  it('holds a city-scoped token to ids starting with its device’s city and a dash, whatever the id holds elsewhere', () => {
    const tianjin = new Tenancy('tj-admin', 'admin', ['tianjin', 'tangshan']);
    expect(scopedIdProblem('tianjin-port-1', 'tianjin', tianjin)).toBeUndefined();
    expect(scopedIdProblem('tangshan-1', 'tangshan', tianjin)).toBeUndefined();
    expect(scopedIdProblem('tj-port-1', 'tianjin', tianjin)).toMatch(/must start with "tianjin-"/);
    expect(scopedIdProblem('tangshan-1', 'tianjin', tianjin)).toMatch(/must start with "tianjin-"/);
    expect(scopedIdProblem('tianjin', 'tianjin', tianjin)).toMatch(/must start with "tianjin-"/);
  });

  it('reads the city names an id could claim from its dash-separated prefixes', () => {
    expect(claimedCities('tianjin-port-1')).toEqual(['tianjin', 'tianjin-port']);
    expect(claimedCities('env0042')).toEqual([]);
    expect(claimedCities('BJ-env')).toEqual([]);
    expect(claimedCities('bj.tower-1')).toEqual([]);
  });
});
