import { leastSquaresSlope, trendOf, type Point } from './soak-trend.js';

const minutes = (values: number[]): Point[] => values.map((value, i) => ({ atS: i * 60, value }));
const tolerance = { relative: 0.1, absolute: 16 };

describe('soak trend', () => {
  it('finds the slope of a straight line, per second of the x axis', () => {
    expect(
      leastSquaresSlope([
        { atS: 0, value: 10 },
        { atS: 10, value: 30 },
        { atS: 20, value: 50 },
      ]),
    ).toBeCloseTo(2);
  });

  it('calls a series flat that climbs during warm-up and then holds level', () => {
    const rss = minutes([150, 260, 300, 310, 305, 312, 308, 311, 309, 310, 312, 308, 310, 311, 309]);
    const trend = trendOf(rss, tolerance);
    expect(trend.flat).toBe(true);
    expect(Math.abs(trend.slopePerMinute)).toBeLessThan(0.5);
  });

  it('calls a leak of 2 MiB a minute not flat, and projects the growth over the last two thirds', () => {
    const rss = minutes(Array.from({ length: 30 }, (_, i) => 300 + 2 * i));
    const trend = trendOf(rss, tolerance);
    expect(trend.flat).toBe(false);
    expect(trend.slopePerMinute).toBeCloseTo(2);
    expect(trend.projectedGrowth).toBeCloseTo(2 * 19); // points 10..29 span 19 minutes
    expect(trend.lastMean - trend.firstMean).toBeCloseTo(2 * 25);
  });

  it('lets a series near zero wander within the absolute floor', () => {
    const depth = minutes([0, 3, 1, 8, 2, 12, 4, 9, 14, 6, 11, 15]);
    expect(trendOf(depth, tolerance).flat).toBe(true);
    expect(trendOf(depth, { relative: 0.1, absolute: 1 }).flat).toBe(false);
  });

  it('calls a falling series flat', () => {
    expect(trendOf(minutes([500, 450, 400, 350, 300, 250]), tolerance).flat).toBe(true);
  });
});
