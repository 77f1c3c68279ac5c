import { seededRandom } from './seeded-random.js';

describe('seededRandom', () => {
  const draw = (seed: number, n = 1000) => Array.from({ length: n }, seededRandom(seed));

  it('repeats its sequence for a seed, and another seed gives another', () => {
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('draws from [0, 1), spread over the whole interval', () => {
    const values = draw(7, 10_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const tenths = new Set(values.map((v) => Math.floor(v * 10)));
    expect(tenths.size).toBe(10);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });

  it('keeps its sequence across changes: the first draws of seed 1 are pinned', () => {
    // Another generator would silently change every seeded fleet, history and mutant run.
    expect(draw(1, 3).map((v) => v.toFixed(6))).toEqual(['0.627074', '0.002736', '0.527447']);
  });
});
