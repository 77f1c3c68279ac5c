import { Tenancy } from './tenancy.js';

describe('Tenancy', () => {
  it('lets the root admin see every city and manage the cluster', () => {
    const root = Tenancy.root();
    expect(root.allows('beijing')).toBe(true);
    expect(root.withinCities).toBeUndefined();
    expect(root.isClusterAdmin).toBe(true);
  });

  it('limits a city-scoped token to its cities, sorted for queries', () => {
    const scoped = new Tenancy('tj-ops', 'operator', ['tianjin', 'beijing']);
    expect(scoped.allows('tianjin')).toBe(true);
    expect(scoped.allows('shijiazhuang')).toBe(false);
    expect(scoped.withinCities).toEqual(['beijing', 'tianjin']);
    expect(scoped.isAdmin).toBe(false);
  });

  it('makes a city-scoped admin an admin of its cities but not of the cluster', () => {
    const cityAdmin = new Tenancy('bj-admin', 'admin', ['beijing']);
    expect(cityAdmin.isAdmin).toBe(true);
    expect(cityAdmin.isClusterAdmin).toBe(false);
  });
});
