import { h } from './dom.js';
import { formatNumber } from './format.js';
import { chartGeometry } from './chart-geometry.js';

const WIDTH = 600;
const HEIGHT = 160;
const PAD = 6;

/**
 * An SVG chart of one field: the mean per interval as a line with a dot per point, and the
 * min–max range as a band behind it. Each dot has a tooltip with its time and value.
 */
export function fieldChart(series, { unit, from, to }) {
  const geometry = chartGeometry(series.points, { width: WIDTH, height: HEIGHT, pad: PAD, from, to });
  const title = h('h4', {}, series.field, unit ? ` (${unit})` : '');
  if (!geometry) return h('figure', { class: 'chart empty', 'data-field': series.field, 'data-points': 0 }, title, h('p', { class: 'quiet' }, 'no readings in this range'));
  return h('figure', { class: 'chart', 'data-field': series.field, 'data-points': geometry.points.length },
    title,
    h('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'plot', role: 'img', 'aria-label': `${series.field}: ${geometry.points.length} points` },
      h('polygon', { class: 'band', points: geometry.band }),
      geometry.segments.map((segment) => h('polyline', { class: 'line', points: segment.map((p) => `${p.x},${p.y}`).join(' ') })),
      geometry.points.map((p) => h('circle', { class: 'point', cx: p.x, cy: p.y, r: 2.5 }, h('title', {}, `${new Date(p.time).toLocaleString()}: ${formatNumber(p.mean)}`))),
    ),
    h('figcaption', {},
      h('span', {}, `${new Date(geometry.tMin).toLocaleTimeString()} – ${new Date(geometry.tMax).toLocaleTimeString()}`),
      h('span', {}, `min ${formatNumber(geometry.low)} · max ${formatNumber(geometry.high)}`),
    ),
  );
}
