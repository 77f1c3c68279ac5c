import type { DeviceRuleStates } from '@citypulse/rules';
import type { IndicatorDefinition, IndicatorValue } from '@citypulse/indicators';
import { decideIndicatorRules, indicatorAlertDevice } from './indicator-rules.js';

const demand: IndicatorDefinition = {
  id: 'demand',
  title: 'Regional demand',
  deviceType: 'electricity-meter',
  field: 'active_power',
  aggregate: 'sum',
  windowSeconds: 60,
  rules: [
    { id: 'high', condition: { kind: 'above', threshold: 100 }, forSeconds: 60, severity: 'critical', enabled: true },
  ],
};
const t0 = Date.parse('2026-12-03T10:00:00Z');

function valueAt(minute: number, value: number | null, cities: string[]): IndicatorValue {
  return {
    indicator: 'demand',
    time: new Date(t0 + minute * 60_000).toISOString(),
    windowFrom: new Date(t0 + (minute - 1) * 60_000).toISOString(),
    value,
    provenance: {
      contributingCities: cities,
      shares: [],
      devicesReporting: cities.length,
      devicesShared: cities.length,
      devicesInScope: 3,
      coverage: cities.length / 3,
    },
  };
}

/**
 * Folds values through the rules, applying (clearing) the outbox after each as the worker does; returns every
 * transition.
 */
function run(values: IndicatorValue[]) {
  let state: DeviceRuleStates = { states: {}, outbox: [] };
  const transitions = [];
  for (const value of values) {
    state = decideIndicatorRules(state, demand, value);
    transitions.push(...state.outbox);
    state = { ...state, outbox: [] };
  }
  return transitions;
}

describe('rules on a cluster indicator', () => {
  it('raises after the condition held forSeconds, one alert per contributing city, and resolves each', () => {
    const transitions = run([
      valueAt(0, 150, ['beijing', 'tianjin']),
      valueAt(1, 160, ['beijing', 'tianjin']),
      // Tianjin joins the alert at the raise; a city joining later does not get it.
      valueAt(2, 170, ['beijing', 'hebei', 'tianjin']),
      valueAt(3, 90, ['hebei']),
    ]);
    expect(transitions.map((t) => [t.kind, t.city, t.deviceId])).toEqual([
      ['raised', 'beijing', indicatorAlertDevice('demand', 'beijing')],
      ['raised', 'tianjin', indicatorAlertDevice('demand', 'tianjin')],
      ['updated', 'beijing', indicatorAlertDevice('demand', 'beijing')],
      ['updated', 'tianjin', indicatorAlertDevice('demand', 'tianjin')],
      ['resolved', 'beijing', indicatorAlertDevice('demand', 'beijing')],
      ['resolved', 'tianjin', indicatorAlertDevice('demand', 'tianjin')],
    ]);
    const [raised] = transitions;
    expect(raised).toMatchObject({
      ruleId: 'demand.high',
      deviceType: 'cluster-indicator',
      site: 'cluster',
      field: 'value',
      severity: 'critical',
      value: 160,
      description: 'Regional demand above 100 for 60 s',
    });
    expect(new Set(transitions.filter((t) => t.city === 'beijing').map((t) => t.alertId)).size).toBe(1);
  });

  it('ignores a window without data, and raises nothing below the threshold', () => {
    expect(run([valueAt(0, 150, ['beijing']), valueAt(1, null, []), valueAt(2, 50, ['beijing'])])).toEqual([]);
  });
});
