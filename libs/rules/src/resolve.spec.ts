import { resolveRules } from './resolve.js';
import type { RuleDefinition } from './types.js';

const base: RuleDefinition = {
  id: 'co2-high',
  deviceType: 'env-sensor',
  field: 'co2',
  condition: { kind: 'above', threshold: 1500 },
  forSeconds: 60,
  severity: 'warning',
  enabled: true,
};
const beijing: RuleDefinition = {
  ...base,
  id: 'co2-high-bj',
  key: 'co2-high',
  scope: { city: 'beijing' },
  condition: { kind: 'above', threshold: 1200 },
};
const site: RuleDefinition = {
  ...base,
  id: 'co2-high-site',
  key: 'co2-high',
  scope: { city: 'beijing', site: 'bj-1' },
};
const device: RuleDefinition = { ...base, id: 'co2-high-dev', key: 'co2-high', scope: { deviceId: 'd1' } };
const other: RuleDefinition = { ...base, id: 'temperature-high', field: 'temperature' };
const target = (over: Partial<{ deviceId: string; city: string; site: string; deviceType: string }> = {}) => ({
  deviceId: 'd9',
  deviceType: 'env-sensor',
  city: 'tianjin',
  site: 'tj-1',
  ...over,
});
const ids = (rules: RuleDefinition[]) => rules.map((r) => r.id).sort();

describe('resolveRules', () => {
  const all = [base, beijing, site, device, other];

  it('gives a device outside every scope the type-wide rules', () => {
    expect(ids(resolveRules(all, target()))).toEqual(['co2-high', 'temperature-high']);
  });

  it('lets the most specific matching rule of a key win: device > site > city > type', () => {
    expect(ids(resolveRules(all, target({ city: 'beijing' })))).toEqual(['co2-high-bj', 'temperature-high']);
    expect(ids(resolveRules(all, target({ city: 'beijing', site: 'bj-1' })))).toEqual([
      'co2-high-site',
      'temperature-high',
    ]);
    expect(ids(resolveRules(all, target({ deviceId: 'd1', city: 'beijing', site: 'bj-1' })))).toEqual([
      'co2-high-dev',
      'temperature-high',
    ]);
  });

  it('skips disabled rules and rules of other device types', () => {
    const disabled = { ...beijing, enabled: false };
    expect(ids(resolveRules([base, disabled], target({ city: 'beijing' })))).toEqual(['co2-high']);
    expect(resolveRules(all, target({ deviceType: 'hvac-unit' }))).toEqual([]);
  });
});
