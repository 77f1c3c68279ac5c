import { Backtest } from '../backtest/backtest.js';
import { catalogueRuleSet } from '../backtest/rule-sets.js';
import { DEFAULT_MIX } from '../plan/mix.js';
import { prepareRun, simulate, type SimOptions } from '../simulation/simulation.js';
import { SCENARIOS, requiredTypes } from './index.js';

const HOUR = 3_600_000;
/** Starts that put the scenario windows at different local times and seasons (Beijing = UTC+8). */
const STARTS: Array<[string, number]> = [
  ['a summer morning', Date.UTC(2025, 6, 15, 0)],
  ['a winter night', Date.UTC(2025, 0, 12, 16)],
  ['a spring weekend evening', Date.UTC(2025, 3, 12, 10)],
];

function backtestScenario(scenario: string, startMs: number, durationMs = 3 * HOUR) {
  const options: SimOptions = {
    seed: 11,
    devices: 40,
    cities: ['beijing', 'tianjin', 'urumqi'],
    mix: DEFAULT_MIX,
    prefix: 't',
    startMs,
    durationMs,
    scenario,
  };
  const run = prepareRun(options);
  const backtest = new Backtest({ rules: catalogueRuleSet() });
  for (const p of simulate(run)) {
    backtest.publish(
      { deviceId: p.device.id, deviceType: p.device.type.name, city: p.device.city.name, site: p.device.site.name },
      p.payload,
      p.t,
    );
  }
  return backtest.finish(startMs + durationMs);
}

describe('every scenario, evaluated by the live rule code on its own traffic', () => {
  for (const scenario of SCENARIOS) {
    it.each(STARTS)(
      `${scenario.name} raises what it declares and rejects what it declares, starting on %s`,
      (_when, startMs) => {
        const result = backtestScenario(scenario.name, startMs);
        const raised = new Set(result.alerts.map((a) => a.ruleId));
        for (const id of scenario.raises) expect([...raised]).toContain(id);
        for (const id of raised) expect([...scenario.raises, ...scenario.mayRaise]).toContain(id);
        expect(Object.keys(result.rejections).sort()).toEqual([...scenario.rejects].sort());
      },
    );
  }

  it('names only device types the catalogue has', () => {
    for (const scenario of SCENARIOS)
      for (const type of requiredTypes(scenario)) expect(Object.keys(DEFAULT_MIX)).toContain(type);
  });
});
