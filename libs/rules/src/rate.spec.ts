import { evaluate, evaluateBatch, type ValueRule } from './evaluate.js';

/** An energy register (kWh) that must only grow, and not faster than 0.5 kWh/s (1.8 MW). */
const counter: ValueRule = {
  id: 'electricity-meter.energy-rate',
  deviceType: 'electricity-meter',
  field: 'energy',
  condition: { kind: 'rate', min: 0, max: 0.5, clearMargin: 0.05 },
  forSeconds: 0,
  severity: 'warning',
  enabled: true,
};
const options = { allowedLatenessMs: 60_000 };
const s = (seconds: number) => 1_700_000_000_000 + seconds * 1000;
const run = (readings: Array<[number, number]>, rule = counter) =>
  evaluateBatch(
    rule,
    undefined,
    readings.map(([t, value]) => ({ tsMs: s(t), value })),
    options,
  );
const kinds = (r: ReturnType<typeof run>) => r.transitions.map((t) => t.kind);

describe('rate-of-change rules', () => {
  it('compares the per-second rate between consecutive readings, not the value', () => {
    // 1000 → 1010 kWh in 10 s is 1 kWh/s: a jump.
    const result = run([
      [0, 1000],
      [10, 1010],
    ]);
    expect(result.transitions).toEqual([{ kind: 'raised', atMs: s(10), value: 1 }]);
    expect(result.state.lastValue).toBe(1010);
  });

  it('raises nothing on the first reading: there is no rate yet', () => {
    expect(kinds(run([[0, 5_000_000]]))).toEqual([]);
  });

  it('raises when a counter runs backwards (rate below min 0)', () => {
    const result = run([
      [0, 1000],
      [10, 1001],
      [20, 990],
    ]);
    expect(result.transitions).toEqual([{ kind: 'raised', atMs: s(20), value: -1.1 }]);
  });

  it('does not raise for a rate exactly at max, and clears only past the margin', () => {
    expect(
      kinds(
        run([
          [0, 0],
          [10, 5],
        ]),
      ),
    ).toEqual([]);
    // 1 kWh/s → 0.48 (inside, but within the 0.05 margin: still firing) → 0.4 (clear).
    const result = run([
      [0, 0],
      [10, 10],
      [20, 14.8],
      [30, 18.8],
    ]);
    expect(kinds(result)).toEqual(['raised', 'updated', 'resolved']);
    expect(result.transitions[2].value).toBeCloseTo(0.4);
  });

  it('holds a rate breach for forSeconds of event time before raising', () => {
    const slow: ValueRule = { ...counter, forSeconds: 20 };
    expect(
      kinds(
        run(
          [
            [0, 0],
            [10, 10],
            [20, 20],
          ],
          slow,
        ),
      ),
    ).toEqual([]);
    expect(
      kinds(
        run(
          [
            [0, 0],
            [10, 10],
            [20, 20],
            [30, 30],
          ],
          slow,
        ),
      ),
    ).toEqual(['raised']);
  });

  it('ignores a reading older than the newest one, which has no place in the rate', () => {
    const first = run([
      [0, 1000],
      [20, 1001],
    ]);
    const late = evaluate(counter, first.state, { tsMs: s(10), value: 0 }, options);
    expect(late).toEqual({ state: first.state, ignored: 'out_of_order' });
  });

  it('keeps the worst rate as the peak, on either side of the band', () => {
    const result = run([
      [0, 100],
      [1, 102],
      [2, 90],
      [3, 92],
    ]);
    expect(result.state).toMatchObject({ phase: 'firing', peak: -12, count: 3 });
  });
});
