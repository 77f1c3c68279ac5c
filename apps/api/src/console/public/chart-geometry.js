/**
 * Where a time series' points go in a chart of `width` × `height` (SVG user units, y down), with
 * `pad` around the plot. Pure: the chart draws what this returns. Points with no mean (empty
 * intervals) are left out, and the line breaks there.
 *
 * @param {{ time: string, mean: number|null, min: number|null, max: number|null }[]} points
 * @returns {{ points: {x:number,y:number,time:string,mean:number}[], segments: {x:number,y:number}[][],
 *   band: string, low: number, high: number, yMin: number, yMax: number, tMin: number, tMax: number } | null} null when nothing is plottable
 */
export function chartGeometry(points, { width, height, pad = 4, from, to }) {
  const plotted = points.filter((p) => typeof p.mean === 'number' && Number.isFinite(p.mean));
  if (plotted.length === 0) return null;
  const times = plotted.map((p) => Date.parse(p.time));
  const tMin = from ?? Math.min(...times);
  const tMax = to ?? Math.max(...times);
  const lows = plotted.map((p) => (typeof p.min === 'number' ? p.min : p.mean));
  const highs = plotted.map((p) => (typeof p.max === 'number' ? p.max : p.mean));
  const low = Math.min(...lows);
  const high = Math.max(...highs);
  let yMin = low;
  let yMax = high;
  if (yMin === yMax) {
    // A flat line sits in the middle rather than on an edge.
    yMin -= 1;
    yMax += 1;
  }
  const x = (t) => pad + (tMax === tMin ? (width - 2 * pad) / 2 : ((t - tMin) / (tMax - tMin)) * (width - 2 * pad));
  const y = (v) => pad + (1 - (v - yMin) / (yMax - yMin)) * (height - 2 * pad);
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
  return { points: placed, segments, band: [...upper, ...lower].join(' '), low, high, yMin, yMax, tMin, tMax };
}

/** The downsampling interval for a time range: about 60–120 points per chart. */
export function intervalFor(rangeMs) {
  const choices = [['10s', 10_000], ['30s', 30_000], ['1m', 60_000], ['5m', 300_000], ['15m', 900_000], ['1h', 3_600_000], ['2h', 7_200_000], ['6h', 21_600_000]];
  for (const [every, ms] of choices) if (rangeMs / ms <= 120) return every;
  return '1d';
}
