/**
 * Where a time series' points go in a chart of `width` × `height` (SVG user units, y down), with
 * `pad` around the plot. Pure: the chart draws what this returns. Points with no mean (empty
 * intervals) are left out, and the line breaks there.
 *
 * @param {{ time: string, mean: number|null, min: number|null, max: number|null }[]} points
 * @returns {{ points: {x:number,y:number,time:string,mean:number}[], segments: {x:number,y:number}[][],
 *   band: string, low: number, high: number, yMin: number, yMax: number, tMin: number, tMax: number } | null} null when
 * nothing is plottable
 */
export function chartGeometry(points, { width, height, pad = 4, margin = {}, from, to, include = [] }) {
  const m = { left: pad, right: pad, top: pad, bottom: pad, ...margin };
  const plotted = points.filter((p) => typeof p.mean === 'number' && Number.isFinite(p.mean));
  if (plotted.length === 0) return null;
  const times = plotted.map((p) => Date.parse(p.time));
  const tMin = from ?? Math.min(...times);
  const tMax = to ?? Math.max(...times);
  const lows = plotted.map((p) => (typeof p.min === 'number' ? p.min : p.mean));
  const highs = plotted.map((p) => (typeof p.max === 'number' ? p.max : p.mean));
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  // Values that must be in view too (a rule's thresholds), unless far off the data: then the
  // readings would be squashed into a sliver.
  const span = Math.max(high - low, Math.abs(high) * 0.1, 1);
  const near = include.filter((v) => Number.isFinite(v) && v >= low - 3 * span && v <= high + 3 * span);
  let yMin = Math.min(low, ...near);
  let yMax = Math.max(high, ...near);
  if (yMin === yMax) {
    // A flat line sits in the middle rather than on an edge.
    yMin -= 1;
    yMax += 1;
  }
  const plotWidth = width - m.left - m.right;
  const plotHeight = height - m.top - m.bottom;
  const x = (t) => m.left + (tMax === tMin ? plotWidth / 2 : ((t - tMin) / (tMax - tMin)) * plotWidth);
  const y = (v) => m.top + (1 - (v - yMin) / (yMax - yMin)) * plotHeight;
  const round = (n) => Math.round(n * 10) / 10;

  const placed = plotted.map((p, i) => ({ x: round(x(times[i])), y: round(y(p.mean)), time: p.time, mean: p.mean }));
  const segments = [];
  let current = [];
  for (const p of points) {
    if (typeof p.mean === 'number' && Number.isFinite(p.mean)) current.push(placed[plotted.indexOf(p)]);
    else if (current.length) {
      segments.push(current);
      current = [];
    }
  }
  if (current.length) segments.push(current);
  const upper = plotted.map((p, i) => `${round(x(times[i]))},${round(y(highs[i]))}`);
  const lower = plotted.map((p, i) => `${round(x(times[i]))},${round(y(lows[i]))}`).reverse();
  return {
    points: placed,
    segments,
    band: [...upper, ...lower].join(' '),
    low,
    high,
    yMin,
    yMax,
    tMin,
    tMax,
    /** Plot coordinates of a time (ms) and a value, clamped to the plot. */
    xOf: (t) => round(Math.min(Math.max(x(t), m.left), width - m.right)),
    yOf: (v) => round(Math.min(Math.max(y(v), m.top), height - m.bottom)),
    plot: { left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom },
  };
}

/** About `count` round values (steps of 1, 2 or 5 × 10ⁿ) covering [min, max]. */
export function valueTicks(min, max, count = 5) {
  if (!(max > min)) return [min];
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  // Rounded to the step's decimals: 3 × 0.2 is 0.6, not 0.6000000000000001.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks = [];
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++)
    ticks.push(Number((k * step).toFixed(decimals)));
  return ticks;
}

const TIME_STEPS = [10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);

/** At most `count` + 1 times on round steps (10 s … 1 day) within [from, to] (epoch ms). */
export function timeTicks(from, to, count = 6) {
  if (!(to > from)) return [from];
  const step =
    TIME_STEPS.find((s) => (to - from) / s <= count) ?? 86_400_000 * Math.ceil((to - from) / 86_400_000 / count);
  const ticks = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** The downsampling interval for a time range: about 60–120 points per chart. */
export function intervalFor(rangeMs) {
  const choices = [
    ['10s', 10_000],
    ['30s', 30_000],
    ['1m', 60_000],
    ['5m', 300_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['2h', 7_200_000],
    ['6h', 21_600_000],
  ];
  for (const [every, ms] of choices) if (rangeMs / ms <= 120) return every;
  return '1d';
}
