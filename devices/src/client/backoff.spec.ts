import { backoffDelayMs, DEFAULT_BACKOFF } from './backoff.js';

const options = { initialMs: 1000, maxMs: 30_000, factor: 2 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling per attempt up to the maximum', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, options, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('never waits less than half the ceiling, so a failing device does not retry in a tight loop', () => {
    expect([0, 3, 10].map((attempt) => backoffDelayMs(attempt, options, () => 0))).toEqual([500, 4000, 15_000]);
  });

  it('spreads a fleet that lost its broker together over the whole window', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 1000 }, () => backoffDelayMs(4, options, random));
    const buckets = new Array(4).fill(0);
    for (const d of delays) buckets[Math.min(3, Math.floor((d - 8000) / 2000))]++;
    // Four equal slices of [8 s, 16 s] each get roughly a quarter of the devices.
    for (const count of buckets) expect(count).toBeGreaterThan(180);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(8000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(16_000);
  });

  it('starts at about a second and ends at about a minute by default', () => {
    expect(backoffDelayMs(0, DEFAULT_BACKOFF, () => 1)).toBe(1000);
    expect(backoffDelayMs(50, DEFAULT_BACKOFF, () => 1)).toBe(60_000);
  });
});
