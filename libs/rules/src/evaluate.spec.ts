import { evaluate, evaluateBatch, type ValueRule as RuleDefinition } from './evaluate.js';
import type { RuleState } from './types.js';

const co2High: RuleDefinition = {
  id: 'env-sensor.co2-high',
  deviceType: 'env-sensor',
  field: 'co2',
  condition: { kind: 'above', threshold: 1500, clearBelow: 1200 },
  forSeconds: 60,
  severity: 'warning',
  enabled: true,
};
const immediate: RuleDefinition = { ...co2High, forSeconds: 0 };
const options = { allowedLatenessMs: 60_000 };
const s = (seconds: number) => 1_700_000_000_000 + seconds * 1000;

function run(rule: RuleDefinition, readings: Array<[seconds: number, value: number]>, state?: RuleState) {
  return evaluateBatch(
    rule,
    state,
    readings.map(([t, value]) => ({ tsMs: s(t), value })),
    options,
  );
}
const kinds = (r: ReturnType<typeof run>) => r.transitions.map((t) => t.kind);

describe('threshold rules on event time', () => {
  it('raises at once when the rule has no duration', () => {
    const result = run(immediate, [[0, 1600]]);
    expect(result.transitions).toEqual([{ kind: 'raised', atMs: s(0), value: 1600 }]);
    expect(result.state.phase).toBe('firing');
  });

  it('does not raise for a value exactly at the threshold', () => {
    expect(kinds(run(immediate, [[0, 1500]]))).toEqual([]);
  });

  it('raises only once the breach has held for forSeconds of event time', () => {
    expect(
      kinds(
        run(co2High, [
          [0, 1600],
          [30, 1700],
        ]),
      ),
    ).toEqual([]);
    const held = run(co2High, [
      [0, 1600],
      [30, 1700],
      [60, 1650],
    ]);
    expect(held.transitions).toEqual([{ kind: 'raised', atMs: s(60), value: 1650 }]);
  });

  it('restarts the duration when the breach is interrupted', () => {
    expect(
      kinds(
        run(co2High, [
          [0, 1600],
          [40, 1000],
          [50, 1600],
          [100, 1600],
        ]),
      ),
    ).toEqual([]);
    expect(
      kinds(
        run(co2High, [
          [0, 1600],
          [40, 1000],
          [50, 1600],
          [110, 1600],
        ]),
      ),
    ).toEqual(['raised']);
  });

  it('keeps one alert open while the value stays above the clear level, counting repeats and the peak', () => {
    const result = run(immediate, [
      [0, 1600],
      [1, 1900],
      [2, 1400],
      [3, 1300],
    ]);
    expect(kinds(result)).toEqual(['raised', 'updated', 'updated', 'updated']);
    expect(result.state).toMatchObject({ phase: 'firing', count: 4, peak: 1900 });
  });

  it('resolves once the value is back at or below the clear level (hysteresis)', () => {
    const result = run(immediate, [
      [0, 1600],
      [1, 1201],
      [2, 1200],
    ]);
    expect(kinds(result)).toEqual(['raised', 'updated', 'resolved']);
    expect(result.transitions[2]).toEqual({ kind: 'resolved', atMs: s(2), value: 1200 });
    expect(result.state.phase).toBe('ok');
  });

  it('raises exactly one alert per episode for a signal flapping around the threshold', () => {
    // Two episodes: each flaps 1490 ↔ 1510 for a while, then falls well below the clear level.
    const episode = (start: number): Array<[number, number]> => [
      ...Array.from({ length: 40 }, (_, i) => [start + i * 5, i % 2 ? 1490 : 1510] as [number, number]),
      [start + 200, 1000],
    ];
    const result = run(immediate, [...episode(0), ...episode(1000)]);
    expect(kinds(result).filter((k) => k !== 'updated')).toEqual(['raised', 'resolved', 'raised', 'resolved']);
  });

  it('treats below and outside conditions symmetrically', () => {
    const frost: RuleDefinition = {
      ...immediate,
      field: 'temperature',
      condition: { kind: 'below', threshold: 5, clearAbove: 8 },
    };
    expect(
      kinds(
        run(frost, [
          [0, 4],
          [1, 7],
          [2, 8],
        ]),
      ),
    ).toEqual(['raised', 'updated', 'resolved']);
    const band: RuleDefinition = {
      ...immediate,
      condition: { kind: 'outside', low: 49.5, high: 50.5, clearMargin: 0.2 },
    };
    const result = run(band, [
      [0, 50],
      [1, 49.4],
      [2, 49.6],
      [3, 49.8],
      [4, 50.6],
      [5, 50],
    ]);
    expect(kinds(result)).toEqual(['raised', 'updated', 'resolved', 'raised', 'resolved']);
  });
});

describe('late and repeated readings', () => {
  it('ignores an exact redelivery of the newest reading', () => {
    const first = run(immediate, [[0, 1600]]);
    const again = evaluate(immediate, first.state, { tsMs: s(0), value: 1600 }, options);
    expect(again).toEqual({ state: first.state, ignored: 'duplicate' });
  });

  it('ignores readings older than the allowed lateness', () => {
    const firing = run(immediate, [[100, 1600]]);
    const late = evaluate(immediate, firing.state, { tsMs: s(100) - 61_000, value: 100 }, options);
    expect(late.ignored).toBe('too_late');
    expect(late.state).toEqual(firing.state);
  });

  it('never resolves a firing alert because of a late normal reading', () => {
    const firing = run(immediate, [
      [0, 1600],
      [10, 1700],
    ]);
    const late = evaluate(immediate, firing.state, { tsMs: s(5), value: 800 }, options);
    expect(late.transition).toBeUndefined();
    expect(late.state.phase).toBe('firing');
  });

  it('never raises because of a late high reading after newer normal ones', () => {
    const ok = run(immediate, [
      [0, 800],
      [10, 900],
    ]);
    const late = evaluate(immediate, ok.state, { tsMs: s(5), value: 1900 }, options);
    expect(late.transition).toBeUndefined();
    expect(late.state.phase).toBe('ok');
  });

  it('lets a late breach reading move a pending breach’s start earlier, on event time', () => {
    // 0: ok, 40: high, 70: high (pending since 40, only 30 s) — then the reading of 10 s arrives late.
    const pending = run(co2High, [
      [0, 800],
      [40, 1600],
      [70, 1600],
    ]);
    expect(pending.state.phase).toBe('pending');
    const late = evaluate(co2High, pending.state, { tsMs: s(10), value: 1600 }, options);
    expect(late.transition).toEqual({ kind: 'raised', atMs: s(70), value: 1600 });
  });

  it('lets a late normal reading interrupt a pending breach', () => {
    const pending = run(co2High, [
      [0, 1600],
      [50, 1600],
    ]);
    const interrupted = evaluate(co2High, pending.state, { tsMs: s(30), value: 900 }, options);
    expect(interrupted.state.since).toBe(s(50));
    const next = evaluate(co2High, interrupted.state, { tsMs: s(65), value: 1600 }, options);
    expect(next.transition).toBeUndefined();
  });

  it('gives the same result whatever order a batch arrives in', () => {
    const readings: Array<[number, number]> = [
      [0, 1600],
      [30, 1650],
      [60, 1700],
      [90, 1100],
    ];
    const shuffled: Array<[number, number]> = [readings[2], readings[0], readings[3], readings[1]];
    expect(run(co2High, shuffled)).toEqual(run(co2High, readings));
  });

  it('survives a JSON round trip of its state (the state lives in Redis)', () => {
    const pending = run(co2High, [[0, 1600]]);
    const restored = JSON.parse(JSON.stringify(pending.state)) as RuleState;
    expect(kinds(run(co2High, [[60, 1600]], restored))).toEqual(['raised']);
    const fresh = JSON.parse(JSON.stringify(evaluateBatch(co2High, undefined, [], options).state)) as RuleState;
    expect(kinds(run(immediate, [[0, 1600]], fresh))).toEqual(['raised']);
  });
});
