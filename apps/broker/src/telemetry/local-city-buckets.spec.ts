import { LocalCityBuckets } from './local-city-buckets.js';

/** The buckets at a rate per city (default 10/s), as the broker calls them. */
function limiter(readingsPerS = 10, maxHoldMs = 1000, overrides: Record<string, number> = {}) {
  const buckets = new LocalCityBuckets(maxHoldMs);
  const rateOf = (city: string) => (Object.hasOwn(overrides, city) ? overrides[city] : readingsPerS);
  return { take: (city: string, readings: number, nowMs: number) => buckets.take(city, rateOf(city), readings, nowMs) };
}

describe('LocalCityBuckets', () => {
  it('lets a city through at once up to one second of its rate', () => {
    const l = limiter(10);
    expect(l.take('beijing', 6, 0)).toEqual({ kind: 'now' });
    expect(l.take('beijing', 4, 0)).toEqual({ kind: 'now' });
  });

  it('holds the PUBACK back for as long as the city’s bucket needs to pay for the readings', () => {
    const l = limiter(10);
    l.take('beijing', 10, 0);
    expect(l.take('beijing', 2, 0)).toEqual({ kind: 'hold', holdMs: 200 });
    // The bucket is in debt: the next reading waits behind the previous two.
    expect(l.take('beijing', 1, 0)).toEqual({ kind: 'hold', holdMs: 300 });
  });

  it('sheds a publish that would have to wait longer than the longest hold, charging nothing for it', () => {
    const l = limiter(10, 1000);
    l.take('beijing', 10, 0);
    expect(l.take('beijing', 20, 0)).toEqual({ kind: 'shed', readingsPerS: 10 });
    expect(l.take('beijing', 5, 0)).toEqual({ kind: 'hold', holdMs: 500 });
  });

  it('refills with time, never above one second of rate', () => {
    const l = limiter(10);
    l.take('beijing', 10, 0);
    expect(l.take('beijing', 5, 500)).toEqual({ kind: 'now' });
    expect(l.take('beijing', 10, 10_000)).toEqual({ kind: 'now' });
    expect(l.take('beijing', 1, 10_000)).toEqual({ kind: 'hold', holdMs: 100 });
  });

  it('keeps each city’s bucket apart, so one city’s storm does not slow another', () => {
    const l = limiter(10);
    l.take('beijing', 10, 0);
    expect(l.take('beijing', 5, 0).kind).toBe('hold');
    expect(l.take('tianjin', 10, 0)).toEqual({ kind: 'now' });
  });

  it('applies per-city overrides, where 0 means unlimited', () => {
    const l = limiter(10, 1000, { tianjin: 0, beijing: 100 });
    expect(l.take('tianjin', 1_000_000, 0)).toEqual({ kind: 'now' });
    expect(l.take('beijing', 100, 0)).toEqual({ kind: 'now' });
    expect(l.take('shijiazhuang', 11, 0)).toEqual({ kind: 'hold', holdMs: 100 });
  });
});
