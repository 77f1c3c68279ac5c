/**
 * Is a series sampled over a soak flat? Pure arithmetic, so it can be unit-tested: the bench
 * feeds it RSS, heap, event-loop lag and queue depths, one point per sample.
 *
 * The first third of a run is warm-up (JIT, heap sizing, connection buffers) and is left out of
 * the slope; what must hold is that the rest does not climb. A series is flat when the growth its
 * least-squares slope projects over that last two thirds stays within a tolerance: a share of its
 * level, or an absolute floor for series that sit near zero (a queue that holds 3 jobs may hold 9
 * a minute later without anything trending).
 */

export interface Point {
  /** Seconds since the load started. */
  atS: number;
  value: number;
}

export interface Tolerance {
  /** Allowed growth as a share of the early level (0.1 = 10 %). */
  relative: number;
  /** Allowed growth in the series' own unit, whatever its level. */
  absolute: number;
}

export interface Trend {
  /** Least-squares slope over the last two thirds of the points, in units per minute. */
  slopePerMinute: number;
  /** slopePerMinute × the minutes that window spans: how much the series rose (or fell) over it. */
  projectedGrowth: number;
  /** Mean of the first and of the last `edge` points (edge = 5, or a third of the points when fewer than 15). */
  firstMean: number;
  lastMean: number;
  allowedGrowth: number;
  flat: boolean;
}

/** Ordinary least-squares slope of y over x; 0 for fewer than two distinct x. */
export function leastSquaresSlope(points: readonly Point[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, p) => s + p.atS, 0) / n;
  const meanY = points.reduce((s, p) => s + p.value, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.atS - meanX) * (p.value - meanY);
    variance += (p.atS - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}

export function trendOf(points: readonly Point[], tolerance: Tolerance): Trend {
  const tail = points.slice(Math.floor(points.length / 3));
  const slopePerSecond = leastSquaresSlope(tail);
  const spanS = tail.length > 1 ? tail[tail.length - 1].atS - tail[0].atS : 0;
  const edge = Math.max(1, Math.min(5, Math.floor(points.length / 3)));
  const mean = (ps: readonly Point[]) => (ps.length === 0 ? 0 : ps.reduce((s, p) => s + p.value, 0) / ps.length);
  const firstMean = mean(points.slice(0, edge));
  const lastMean = mean(points.slice(-edge));
  const projectedGrowth = slopePerSecond * spanS;
  const allowedGrowth = Math.max(tolerance.absolute, tolerance.relative * Math.abs(firstMean));
  return {
    slopePerMinute: slopePerSecond * 60,
    projectedGrowth,
    firstMean,
    lastMean,
    allowedGrowth,
    flat: projectedGrowth <= allowedGrowth,
  };
}
