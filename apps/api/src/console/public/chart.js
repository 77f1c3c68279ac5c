import { h } from './dom.js';
import { formatNumber, formatTime } from './format.js';
import { chartGeometry, timeTicks, valueTicks } from './chart-geometry.js';

const WIDTH = 600;
const HEIGHT = 220;
/** Room for the value labels (left), the time labels (bottom) and the axis title. */
const MARGIN = { left: 58, right: 10, top: 10, bottom: 26 };

/**
 * An SVG chart of one field: the mean per interval as a line with a dot per point, the min–max
 * range as a band behind it, a value axis with the field's unit and a time axis, each threshold
 * of the rules watching this field as a dashed line, and the periods the device's alerts on this
 * field were open as shaded spans. Each dot has a tooltip with its time and value.
 *
 * thresholds: [{ value, label, severity }]; alertPeriods: [{ fromMs, toMs, severity, id }].
 */
export function fieldChart(series, { unit, from, to, thresholds = [], alertPeriods = [] }) {
  const geometry = chartGeometry(series.points, {
    width: WIDTH,
    height: HEIGHT,
    margin: MARGIN,
    from,
    to,
    include: thresholds.map((t) => t.value),
  });
  const title = h('h4', {}, series.field, unit ? ` (${unit})` : '');
  if (!geometry)
    return h(
      'figure',
      { class: 'chart empty', 'data-field': series.field, 'data-points': 0 },
      title,
      h('p', { class: 'quiet' }, 'no readings in this range'),
    );
  const { plot, xOf, yOf } = geometry;
  const withUnit = (v) => `${formatNumber(v)}${unit ? ` ${unit}` : ''}`;
  const yTicks = valueTicks(geometry.yMin, geometry.yMax, 5);
  const xTicks = timeTicks(geometry.tMin, geometry.tMax, 6);
  const longRange = geometry.tMax - geometry.tMin > 86_400_000;
  const timeLabel = (t) =>
    longRange
      ? new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
      : new Date(t).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const shownThresholds = thresholds.filter((t) => t.value >= geometry.yMin && t.value <= geometry.yMax);
  const periods = alertPeriods.filter((p) => p.toMs >= geometry.tMin && p.fromMs <= geometry.tMax);

  return h(
    'figure',
    { class: 'chart', 'data-field': series.field, 'data-points': geometry.points.length, 'data-unit': unit ?? '' },
    title,
    h(
      'svg',
      {
        viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        class: 'plot',
        role: 'img',
        'aria-label': `${series.field}${unit ? ` in ${unit}` : ''}: ${geometry.points.length} points`,
      },
      periods.map((p) =>
        h(
          'rect',
          {
            class: `alert-period sev-${p.severity}`,
            'data-alert-id': p.id,
            x: xOf(p.fromMs),
            y: plot.top,
            width: Math.max(1, xOf(p.toMs) - xOf(p.fromMs)),
            height: plot.bottom - plot.top,
          },
          h(
            'title',
            {},
            `${p.severity} alert ${formatTime(new Date(p.fromMs).toISOString())} ` +
              `– ${p.open ? 'still open' : formatTime(new Date(p.toMs).toISOString())}`,
          ),
        ),
      ),
      yTicks.map((v) =>
        h(
          'g',
          { class: 'tick y-tick' },
          h('line', { class: 'grid', x1: plot.left, x2: plot.right, y1: yOf(v), y2: yOf(v) }),
          h('text', { x: plot.left - 6, y: yOf(v) + 4, 'text-anchor': 'end' }, formatNumber(v)),
        ),
      ),
      xTicks.map((t) =>
        h(
          'g',
          { class: 'tick x-tick' },
          h('line', { class: 'tick-mark', x1: xOf(t), x2: xOf(t), y1: plot.bottom, y2: plot.bottom + 4 }),
          h('text', { x: xOf(t), y: plot.bottom + 17, 'text-anchor': 'middle' }, timeLabel(t)),
        ),
      ),
      h('line', { class: 'axis', x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.bottom }),
      h('line', { class: 'axis', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }),
      h(
        'text',
        {
          class: 'axis-title',
          transform: `translate(12 ${(plot.top + plot.bottom) / 2}) rotate(-90)`,
          'text-anchor': 'middle',
        },
        unit ? `${series.field} (${unit})` : series.field,
      ),
      h('polygon', { class: 'band', points: geometry.band }),
      geometry.segments.map((segment) =>
        h('polyline', { class: 'line', points: segment.map((p) => `${p.x},${p.y}`).join(' ') }),
      ),
      geometry.points.map((p) =>
        h(
          'circle',
          { class: 'point', cx: p.x, cy: p.y, r: 2.5 },
          h('title', {}, `${new Date(p.time).toLocaleString()}: ${withUnit(p.mean)}`),
        ),
      ),
      shownThresholds.map((t) =>
        h(
          'g',
          { class: `threshold sev-${t.severity}`, 'data-value': t.value },
          h('line', { x1: plot.left, x2: plot.right, y1: yOf(t.value), y2: yOf(t.value) }),
          h(
            'text',
            { x: plot.right - 4, y: yOf(t.value) - 4, 'text-anchor': 'end' },
            `${t.label} ${withUnit(t.value)}`,
          ),
        ),
      ),
    ),
    h(
      'figcaption',
      {},
      h(
        'span',
        {},
        `${new Date(geometry.tMin).toLocaleTimeString()} – ${new Date(geometry.tMax).toLocaleTimeString()}`,
      ),
      h('span', {}, `min ${withUnit(geometry.low)} · max ${withUnit(geometry.high)}`),
      thresholds.length > shownThresholds.length
        ? h(
            'span',
            { class: 'quiet' },
            `thresholds off the scale: ${thresholds
              .filter((t) => !shownThresholds.includes(t))
              .map((t) => `${t.label} ${withUnit(t.value)}`)
              .join(', ')}`,
          )
        : null,
    ),
  );
}

/**
 * The thresholds a rule draws on its field's chart: one line for above/below, two for outside
 * (rate and deadman rules have no level to draw).
 */
export function ruleThresholds(rule) {
  const c = rule.condition ?? {};
  const label = (text) => `${rule.severity} ${text}`;
  if (c.kind === 'above') return [{ value: c.threshold, label: label('>'), severity: rule.severity, ruleId: rule.id }];
  if (c.kind === 'below') return [{ value: c.threshold, label: label('<'), severity: rule.severity, ruleId: rule.id }];
  if (c.kind === 'outside')
    return [
      { value: c.low, label: label('<'), severity: rule.severity, ruleId: rule.id },
      { value: c.high, label: label('>'), severity: rule.severity, ruleId: rule.id },
    ];
  return [];
}
