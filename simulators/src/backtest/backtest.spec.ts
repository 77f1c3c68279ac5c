import { DEFAULT_MIX } from '../plan/mix.js';
import { prepareRun, simulate } from '../simulation/simulation.js';
import { Backtest, type BacktestResult } from './backtest.js';
import { formatReport } from './format-report.js';
import { compareBacktests } from './report.js';
import { candidateRuleSet, catalogueRuleSet, parseRuleSet } from './rule-sets.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const t0 = Date.UTC(2025, 6, 1, 4);
const meter = { deviceId: 'm1', deviceType: 'electricity-meter', city: 'beijing', site: 'beijing-supply-01' };
const publish = (bt: Backtest, minute: number, values: Record<string, number>) =>
  bt.publish(meter, JSON.stringify({ ts: t0 + minute * MINUTE, values }), t0 + minute * MINUTE);

function runScenario(scenario: string, rules = catalogueRuleSet()): BacktestResult {
  const run = prepareRun({
    seed: 2,
    devices: 30,
    cities: ['beijing'],
    mix: DEFAULT_MIX,
    prefix: 'b',
    startMs: t0,
    durationMs: 2 * HOUR,
    scenario,
  });
  const bt = new Backtest({ rules });
  for (const p of simulate(run))
    bt.publish(
      { deviceId: p.device.id, deviceType: p.device.type.name, city: p.device.city.name, site: p.device.site.name },
      p.payload,
      p.t,
    );
  return bt.finish(t0 + 2 * HOUR);
}

describe('Backtest', () => {
  it('raises and resolves with the live ids, durations and hysteresis of the catalogue rules', () => {
    const bt = new Backtest({ rules: catalogueRuleSet() });
    for (let m = 0; m < 10; m++) publish(bt, m, { voltage: m >= 2 && m < 6 ? 190 : 230 });
    const [alert] = bt.finish(t0 + 10 * MINUTE).alerts;
    // Below 198 V from minute 2; held 60 s at minute 3; back above 202 V at minute 6.
    expect(alert).toMatchObject({
      id: `electricity-meter.voltage-low:m1:${t0 + 3 * MINUTE}`,
      ruleId: 'electricity-meter.voltage-low',
      state: 'resolved',
      openedAtMs: t0 + 3 * MINUTE,
      resolvedAtMs: t0 + 6 * MINUTE,
      peakValue: 190,
    });
  });

  it('counts what the broker would refuse, by reason, and evaluates none of it', () => {
    const bt = new Backtest({ rules: catalogueRuleSet() });
    bt.publish(meter, '{"ts":1,"values":', t0);
    bt.publish(meter, JSON.stringify({ ts: t0, values: { voltage: 1000 } }), t0);
    bt.publish(meter, JSON.stringify({ ts: t0 + 3_600_000, values: { voltage: 100 } }), t0);
    const result = bt.finish(t0 + HOUR);
    expect(result.rejections).toEqual({ malformed_json: 1, out_of_range: 1, timestamp_in_future: 1 });
    expect(result.readings).toEqual({ accepted: 0, rejected: 3 });
    expect(result.alerts).toEqual([]);
  });

  it('plays the deadman check on event time: silence longer than the window raises, the next reading resolves', () => {
    const bt = new Backtest({ rules: catalogueRuleSet() });
    for (const m of [0, 1, 2, 20, 21]) publish(bt, m, { voltage: 230 });
    const result = bt.finish(t0 + 22 * MINUTE);
    expect(result.alerts).toEqual([
      expect.objectContaining({
        ruleId: 'electricity-meter.no-data',
        ruleKind: 'deadman',
        openedAtMs: t0 + 7 * MINUTE,
        resolvedAtMs: t0 + 20 * MINUTE,
        state: 'resolved',
      }),
    ]);
  });

  it('reports what a lower candidate threshold adds against the current rules', () => {
    const [lowered] = parseRuleSet(
      JSON.stringify([
        {
          id: 'electricity-meter.voltage-low',
          deviceType: 'electricity-meter',
          field: 'voltage',
          condition: { kind: 'below', threshold: 229, clearAbove: 230 },
          forSeconds: 60,
          severity: 'warning',
        },
      ]),
    );
    const current = catalogueRuleSet();
    const candidate = candidateRuleSet([lowered], current);
    const report = compareBacktests(
      runScenario('normal', candidate),
      runScenario('normal', current),
      candidate,
      current,
      t0 + 2 * HOUR,
    );
    expect(report.removed).toEqual([]);
    expect(report.added.length).toBeGreaterThan(0);
    expect(report.added.every((a) => a.ruleId === 'electricity-meter.voltage-low')).toBe(true);
    expect(report.comparison.find((c) => c.ruleKey === 'electricity-meter.voltage-low')).toMatchObject({
      current: 0,
      candidate: report.added.length,
    });
    expect(formatReport(report, 'test')).toMatch(
      /\+ electricity-meter\.voltage-low on b-beijing-electricity-meter-\d{3}: /,
    );
  });

  it('reports no difference when the candidate is the current rule set, and a per-rule count and timeline of a scenario', () => {
    const current = catalogueRuleSet();
    const result = runScenario('grid-fault');
    const report = compareBacktests(result, result, current, current, t0 + 2 * HOUR);
    expect([report.added, report.removed, report.changed]).toEqual([[], [], []]);
    expect(report.counts.map((c) => c.ruleId).sort()).toEqual([
      'electricity-meter.frequency-low',
      'electricity-meter.voltage-low',
    ]);
    expect(report.timeline.filter((e) => e.kind === 'raised')).toHaveLength(result.alerts.length);
    for (let i = 1; i < report.timeline.length; i++)
      expect(report.timeline[i].atMs).toBeGreaterThanOrEqual(report.timeline[i - 1].atMs);
    expect(formatReport(report, 'test')).toMatch(/the same alerts at the same times/);
  });
});

describe('rule sets', () => {
  it('take GET /rules output (items with a source) and plain arrays', () => {
    const items = catalogueRuleSet().map((r) => ({ ...r, source: 'catalogue' }));
    expect(parseRuleSet(JSON.stringify({ items, total: items.length }))).toHaveLength(items.length);
  });

  it('name every bad rule and field at once', () => {
    const bad = [
      {
        id: 'x',
        deviceType: 'toaster',
        field: 'heat',
        condition: { kind: 'above', threshold: 1 },
        forSeconds: 0,
        severity: 'warning',
      },
      {
        id: 'y',
        deviceType: 'env-sensor',
        field: 'co2',
        condition: { kind: 'above' },
        forSeconds: -1,
        severity: 'loud',
      },
    ];
    expect(() => parseRuleSet(JSON.stringify(bad), 'candidate.json')).toThrow(
      /candidate\.json.*\n.*rule 0 \(x\): deviceType[\s\S]*rule 1 \(y\): [\s\S]*forSeconds[\s\S]*severity/,
    );
  });
});
