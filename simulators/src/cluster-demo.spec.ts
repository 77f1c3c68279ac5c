import { readFileSync } from 'node:fs';
import { ruleCatalogue } from '@citypulse/alert-config';
import { parseIndicatorDefinitions, type IndicatorDefinition } from '@citypulse/indicators';
import { evaluateBatch } from '@citypulse/rules';
import { BORDER_FLOW, BORDER_SITE, HEATWAVE_POWER_KW, HEATWAVE_START_MS, INCIDENT_START_MS } from './cluster-demo.js';

/**
 * What scripts/start.sh runs the demo with: computed every 5 s, windows ending 5 s back (CP_INDICATOR_SETTLE_MS's
 * default).
 */
const INTERVAL_MS = 5000;
const SETTLE_MS = 5000;
/** fleet-main's default cities; the first two share the border crossing. */
const CITIES = ['beijing', 'tianjin', 'shijiazhuang'];
/** The fleet's meters wander within the middle third of ±500 kW (reading-generator.ts). */
const NORMAL_MAX_KW = 500 / 3;

/**
 * The cluster scenario's promises — a newcomer sees the regional demand alert within a minute of
 * `npm start` and the border incident's soon after, never without their cause — checked on the
 * definitions file it ships with the rule evaluation the alerts app runs: each indicator computed
 * as the alerts app does (each device's mean over the window, combined), every device reporting
 * once a second.
 */
describe('the cluster scenario of npm start', () => {
  const definitions = parseIndicatorDefinitions(
    JSON.parse(readFileSync(new URL('../cluster/indicators.json', import.meta.url), 'utf8')),
    ruleCatalogue,
  );
  const byId = (id: string) => definitions.find((d) => d.id === id)!;

  /**
   * When the indicator's first rule first raises (ms since the demo started), the indicator being
   * `devices` × each device's mean, a device reporting `before` until `changeMs` and `after` from then.
   */
  function firstRaise(
    definition: IndicatorDefinition,
    devices: number,
    changeMs: number,
    before: number,
    after: number,
    phaseMs: number,
  ): number | undefined {
    const valueAt = (atMs: number) => {
      const toMs = atMs - SETTLE_MS;
      const readings = [];
      for (let t = Math.max(0, Math.ceil((toMs - definition.windowSeconds * 1000) / 1000) * 1000); t < toMs; t += 1000)
        readings.push(t >= changeMs ? after : before);
      return (devices * readings.reduce((a, b) => a + b, 0)) / readings.length;
    };
    const ticks = Array.from({ length: 40 }, (_, i) => phaseMs + (i + 2) * INTERVAL_MS);
    const rule = { ...definition.rules[0], deviceType: 'cluster-indicator', field: 'value' };
    const { transitions } = evaluateBatch(
      rule,
      undefined,
      ticks.map((t) => ({ tsMs: t, value: valueAt(t) })),
      { allowedLatenessMs: 0 },
    );
    return transitions.find((t) => t.kind === 'raised')?.atMs;
  }

  it('raises the regional demand alert within a minute of the start, whatever the computation’s phase', () => {
    for (const phaseMs of [0, 1000, 2500, 4999]) {
      const raisedAt = firstRaise(
        byId('regional-electricity-demand'),
        CITIES.length,
        HEATWAVE_START_MS,
        0,
        HEATWAVE_POWER_KW,
        phaseMs,
      );
      expect({ phaseMs, withinAMinute: raisedAt !== undefined && raisedAt <= 60_000 }).toEqual({
        phaseMs,
        withinAMinute: true,
      });
    }
  });

  it('raises the border incident’s alert within 45 s of the incident', () => {
    for (const phaseMs of [0, 2500, 4999]) {
      const raisedAt = firstRaise(
        byId('border-traffic'),
        2,
        INCIDENT_START_MS,
        BORDER_FLOW.normal,
        BORDER_FLOW.incident,
        phaseMs,
      );
      expect({
        phaseMs,
        soon: raisedAt !== undefined && raisedAt > INCIDENT_START_MS && raisedAt <= INCIDENT_START_MS + 45_000,
      }).toEqual({ phaseMs, soon: true });
    }
  });

  it('puts the thresholds beyond what the devices reach without their cause, and the clear levels too', () => {
    const demand = byId('regional-electricity-demand').rules[0].condition as { threshold: number; clearBelow: number };
    expect(CITIES.length * NORMAL_MAX_KW).toBeLessThan(demand.threshold);
    expect(CITIES.length * NORMAL_MAX_KW).toBeLessThanOrEqual(demand.clearBelow);
    expect(CITIES.length * HEATWAVE_POWER_KW).toBeGreaterThan(demand.threshold);
    const flow = byId('border-traffic').rules[0].condition as { threshold: number; clearAbove: number };
    expect(2 * BORDER_FLOW.normal).toBeGreaterThanOrEqual(flow.clearAbove);
    expect(2 * BORDER_FLOW.incident).toBeLessThan(flow.threshold);
  });

  it('names the border detectors’ sites the demo provisions', () => {
    expect(byId('border-traffic').sites).toEqual(CITIES.slice(0, 2).map(BORDER_SITE));
  });
});
