/**
 * Downsampling intervals for telemetry queries, as InfluxQL writes them in GROUP BY time(…):
 * a whole number of s, m, h or d. Pure: no I/O, unit-tested in interval.spec.ts.
 */

/** The most intervals one history or aggregate query may produce (a 400 naming `every` beyond it). */
export const MAX_INTERVALS = 2000;
/** About this many points per series when the caller gives no `every`. */
export const TARGET_POINTS = 120;
/** A query without `from` covers the last hour. */
export const DEFAULT_RANGE_MS = 3_600_000;

export const EVERY_PATTERN = /^[1-9]\d{0,5}(s|m|h|d)$/;

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Intervals picked for a default, shortest first: each a "round" length a chart reads well. */
const LADDER = [
  '1s',
  '5s',
  '10s',
  '15s',
  '30s',
  '1m',
  '2m',
  '5m',
  '10m',
  '15m',
  '30m',
  '1h',
  '2h',
  '3h',
  '6h',
  '12h',
  '1d',
  '2d',
  '7d',
  '30d',
];

/** The length of an interval such as `5m` in ms; NaN when it is not one. */
export function intervalMs(every: string): number {
  if (!EVERY_PATTERN.test(every)) return Number.NaN;
  return Number(every.slice(0, -1)) * UNIT_MS[every.slice(-1)];
}

/**
 * How many GROUP BY time() intervals cover [from, to): InfluxDB aligns intervals to the epoch,
 * so the first starts at or before `from`.
 */
export function intervalCount(fromMs: number, toMs: number, everyMs: number): number {
  const start = Math.floor(fromMs / everyMs) * everyMs;
  return Math.max(1, Math.ceil((toMs - start) / everyMs));
}

/** The shortest ladder interval giving at most TARGET_POINTS points over the range (~120 for round ranges). */
export function defaultEvery(rangeMs: number): string {
  for (const every of LADDER) if (rangeMs / intervalMs(every) <= TARGET_POINTS) return every;
  return LADDER[LADDER.length - 1];
}

export interface TimeWindow {
  fromMs: number;
  toMs: number;
  every: string;
  everyMs: number;
}

export type WindowProblem = { field: 'from' | 'to' | 'every'; message: string };

/**
 * Resolves a query's optional from/to/every (already shape-checked) into a bounded window:
 * to defaults to now, from to an hour before `to`, every to about TARGET_POINTS points.
 */
export function resolveWindow(
  input: { from?: string; to?: string; every?: string },
  nowMs: number,
): TimeWindow | WindowProblem {
  const toMs = input.to === undefined ? nowMs : Date.parse(input.to);
  const fromMs = input.from === undefined ? toMs - DEFAULT_RANGE_MS : Date.parse(input.from);
  if (!(fromMs < toMs)) return { field: 'from', message: 'from must be before to' };
  const every = input.every ?? defaultEvery(toMs - fromMs);
  const everyMs = intervalMs(every);
  const count = intervalCount(fromMs, toMs, everyMs);
  if (count > MAX_INTERVALS) {
    return {
      field: 'every',
      message:
        `every=${every} gives ${count} intervals over this range; at most ${MAX_INTERVALS} (use a longer every ` +
        `or a shorter range)`,
    };
  }
  return { fromMs, toMs, every, everyMs };
}
