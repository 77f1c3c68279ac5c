import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { fieldChart, ruleThresholds } from './chart.js';
import { formatNumber, formatTime } from './format.js';

const REFRESH_MS = 10_000;
const RANGE_MS = 3_600_000;

/**
 * The cluster: every regional indicator (GET /indicators) with its newest value, its coverage
 * (devices reporting of those in the cluster) and the cities that contributed, and a chart of the
 * last hour of the chosen one with its rules' thresholds. Any token reads it: the figures are
 * regional, computed only from what cities share with the whole cluster.
 */
export function clusterView(root) {
  const table = h('div', {}, 'Loading…');
  const chart = h('div', { class: 'charts' });
  let chosen;
  replace(
    root,
    h('div', { class: 'section-head' }, h('h2', {}, 'Cluster indicators')),
    h(
      'p',
      { class: 'quiet' },
      'Regional figures computed from the data cities share with the whole cluster. Coverage counts the ' +
        'devices reporting against all devices of the kind in the cluster: a city that does not share lowers it.',
    ),
    table,
    chart,
  );

  async function refresh() {
    try {
      const { items } = await api('/indicators');
      if (items.length === 0) {
        replace(table, h('p', { class: 'quiet' }, 'No indicators are defined (CP_INDICATORS_FILE).'));
        return;
      }
      chosen = items.find((i) => i.id === chosen?.id) ?? items[0];
      replace(
        table,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'indicators' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['indicator', 'value', 'coverage', 'contributing cities', 'agreements', 'window'].map((c) =>
                  h('th', {}, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              items.map((i) =>
                indicatorRow(i, i.id === chosen.id, () => {
                  chosen = i;
                  refresh();
                }),
              ),
            ),
          ),
        ),
      );
      await drawChart(chosen);
    } catch (error) {
      replace(table, h('p', { class: 'error' }, `Could not load the indicators: ${error.message}`));
    }
  }

  async function drawChart(indicator) {
    const to = Date.now();
    const from = to - RANGE_MS;
    const { values } = await api(
      withQuery(`/indicators/${encodeURIComponent(indicator.id)}/values`, {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      }),
    );
    const points = values.map((v) => ({ time: v.time, mean: v.value, min: v.value, max: v.value }));
    const thresholds = indicator.rules.flatMap((r) => ruleThresholds(r));
    // From the first value when the hour is not full yet: a minute of values would be a sliver at the right edge.
    const start = values.length > 0 ? Math.max(from, Date.parse(values[0].time)) : from;
    replace(
      chart,
      fieldChart({ field: indicator.title, points }, { unit: indicator.unit, from: start, to, thresholds }),
    );
    chart.dataset.indicator = indicator.id;
  }

  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

function indicatorRow(indicator, isChosen, choose) {
  const latest = indicator.latest;
  const p = latest?.provenance;
  const unit = indicator.unit ? ` ${indicator.unit}` : '';
  return h(
    'tr',
    { 'data-indicator': indicator.id, class: isChosen ? 'current' : '', onclick: choose },
    h(
      'td',
      {},
      h('strong', {}, indicator.title),
      h('div', { class: 'quiet' }, `${indicator.aggregate} of ${indicator.deviceType}.${indicator.field}`),
    ),
    h(
      'td',
      { 'data-value': latest?.value ?? '' },
      latest?.value == null ? '—' : `${formatNumber(latest.value)}${unit}`,
    ),
    h(
      'td',
      { 'data-coverage': p?.coverage ?? '' },
      p
        ? `${Math.round(p.coverage * 100)} % (${p.devicesReporting} of ${p.devicesInScope} ` +
            `devices; ${p.devicesShared} shared)`
        : '—',
    ),
    h(
      'td',
      { 'data-cities': p?.contributingCities.join(',') ?? '' },
      p?.contributingCities.length ? p.contributingCities.join(', ') : 'none',
    ),
    h('td', {}, p ? String(p.shares.length) : '—'),
    h('td', {}, latest ? `${formatTime(latest.windowFrom)} – ${formatTime(latest.time)}` : 'not computed yet'),
  );
}
