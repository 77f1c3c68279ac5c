import { ruleVisible, type ScopeFacts } from './rule-visibility.js';

const devices: Record<string, { city: string; site: string }> = {
  'bj-1': { city: 'beijing', site: 'bj-tower-1' },
  'tj-1': { city: 'tianjin', site: 'tj-port-1' },
  'tj-2': { city: 'tianjin', site: 'shared-site' },
};
const facts: ScopeFacts = {
  cityOfDevice: async (id) => devices[id]?.city,
  siteUsedIn: async (site, cities) => Object.values(devices).some((d) => d.site === site && cities.includes(d.city)),
};
const tianjin = ['tianjin'];

describe('which rules a caller limited to some cities sees', () => {
  it('sees unscoped rules and rules of its own cities, devices and sites', async () => {
    expect(await ruleVisible(undefined, tianjin, facts)).toBe(true);
    expect(await ruleVisible({ city: 'tianjin' }, tianjin, facts)).toBe(true);
    expect(await ruleVisible({ deviceId: 'tj-1' }, tianjin, facts)).toBe(true);
    expect(await ruleVisible({ site: 'tj-port-1' }, tianjin, facts)).toBe(true);
    expect(await ruleVisible({ city: 'tianjin', site: 'tj-port-1', deviceId: 'tj-1' }, tianjin, facts)).toBe(true);
  });

  it('does not see rules naming another city, another city’s device or site, or a device that does not exist', async () => {
    expect(await ruleVisible({ city: 'beijing' }, tianjin, facts)).toBe(false);
    expect(await ruleVisible({ deviceId: 'bj-1' }, tianjin, facts)).toBe(false);
    expect(await ruleVisible({ deviceId: 'nobody' }, tianjin, facts)).toBe(false);
    expect(await ruleVisible({ site: 'bj-tower-1' }, tianjin, facts)).toBe(false);
    expect(await ruleVisible({ city: 'tianjin', deviceId: 'bj-1' }, tianjin, facts)).toBe(false);
    expect(await ruleVisible({ city: 'beijing', site: 'shared-site' }, tianjin, facts)).toBe(false);
  });

  it('shows everything to a caller of every city', async () => {
    expect(await ruleVisible({ city: 'beijing', deviceId: 'nobody' }, undefined, facts)).toBe(true);
  });
});
