import { readFileSync } from 'node:fs';
import { ruleCatalogue } from '@citypulse/alert-config';
import { parseIndicatorDefinitions } from '@citypulse/indicators';
import { evaluateBatch } from '@citypulse/rules';
import { HEATWAVE_POWER_KW, HEATWAVE_START_MS } from './cluster-demo.js';

/** What scripts/start.sh runs the demo with: computed every 5 s, windows ending 5 s back (CP_INDICATOR_SETTLE_MS's default). */
const INTERVAL_MS = 5000;
const SETTLE_MS = 5000;
const CITIES = 3;
/** The fleet's meters wander within the middle third of ±500 kW (reading-generator.ts). */
const NORMAL_MAX_KW = 500 / 3;

/**
 * The cluster scenario's promise — a newcomer sees the regional alert within a minute of
 * `npm start`, and never without the heat wave — checked on the definitions file it ships, with the
 * rule evaluation the alerts app runs: the indicator computed as the alerts app does, each meter
 * reporting once a second.
 */
describe('the cluster scenario of npm start', () => {
  const definitions = parseIndicatorDefinitions(JSON.parse(readFileSync(new URL('../cluster/indicators.json', import.meta.url), 'utf8')), ruleCatalogue);
  const demand = definitions.find((d) => d.id === 'regional-electricity-demand')!;
  const [rule] = demand.rules;

  /** The regional demand computed at `atMs` (ms since the demo started), every meter at `baseline` before the heat wave. */
  function demandAt(atMs: number, baseline: number): number {
    const toMs = atMs - SETTLE_MS;
    const fromMs = toMs - demand.windowSeconds * 1000;
    const readings = [];
    for (let t = Math.max(0, Math.ceil(fromMs / 1000) * 1000); t < toMs; t += 1000) readings.push(t >= HEATWAVE_START_MS ? HEATWAVE_POWER_KW : baseline);
    return (CITIES * readings.reduce((a, b) => a + b, 0)) / readings.length;
  }

  function firstRaise(baseline: number, phaseMs: number): number | undefined {
    const ticks = Array.from({ length: 40 }, (_, i) => phaseMs + (i + 2) * INTERVAL_MS);
    const { transitions } = evaluateBatch({ ...rule, deviceType: 'cluster-indicator', field: 'value' }, undefined, ticks.map((t) => ({ tsMs: t, value: demandAt(t, baseline) })), { allowedLatenessMs: 0 });
    return transitions.find((t) => t.kind === 'raised')?.atMs;
  }

  it('raises the demand alert within a minute of the start, whatever the computation’s phase', () => {
    for (const phaseMs of [0, 1000, 2500, 4999]) {
      const raisedAt = firstRaise(0, phaseMs);
      expect({ phaseMs, withinAMinute: raisedAt !== undefined && raisedAt <= 60_000 }).toEqual({ phaseMs, withinAMinute: true });
    }
  });

  it('puts the threshold above what the meters reach without the heat wave, and the clear level too', () => {
    expect(rule.condition.kind).toBe('above');
    const condition = rule.condition as { threshold: number; clearBelow: number };
    expect(CITIES * NORMAL_MAX_KW).toBeLessThan(condition.threshold);
    expect(CITIES * NORMAL_MAX_KW).toBeLessThanOrEqual(condition.clearBelow);
    expect(CITIES * HEATWAVE_POWER_KW).toBeGreaterThan(condition.threshold);
  });
});
