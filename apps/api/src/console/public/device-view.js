import { ApiError, api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { fieldChart, ruleThresholds } from './chart.js';
import { rulesForDevice } from './device-rules.js';
import { alertTitle, valueUnit } from './alert-list.js';
import { intervalFor } from './chart-geometry.js';
import { formatNumber, formatTime } from './format.js';
import { maintenanceBadge } from './maintenance-view.js';

const RANGES = [
  ['15m', 15 * 60_000],
  ['1h', 3_600_000],
  ['6h', 6 * 3_600_000],
  ['24h', 24 * 3_600_000],
  ['7d', 7 * 24 * 3_600_000],
];
const NUMERIC = new Set(['number', 'integer']);
/** How often the device's facts (presence, last seen) are read again while the page is open. */
const FACTS_EVERY_MS = 3000;
const ALERTS_PAGE = 50;

/**
 * One device: registry facts and presence, charts of its numeric fields over a chosen range
 * (GET /telemetry/:id/history, mean/min/max per interval), and its alerts with their histories.
 */
export function deviceView(root, deviceId) {
  const info = h('div', { class: 'device-info' }, 'Loading…');
  const charts = h('div', { class: 'charts' });
  const history = h('div', { class: 'alert-history' });
  let rangeMs = 3_600_000;
  let device;
  let type;
  /** The rules watching this device and its alerts: thresholds and alert periods on the charts. */
  let rules = [];
  let deviceAlerts = [];
  let factsTimer;
  let stopped = false;

  const rangePicker = h(
    'div',
    { class: 'ranges', role: 'group', 'aria-label': 'time range' },
    RANGES.map(([label, ms]) =>
      h(
        'button',
        {
          type: 'button',
          class: ms === rangeMs ? 'selected' : '',
          'data-range': label,
          onclick: (e) => pickRange(ms, e.target),
        },
        label,
      ),
    ),
  );
  const rangeLabel = () => RANGES.find(([, ms]) => ms === rangeMs)?.[0];

  replace(
    root,
    h('h2', {}, 'Device ', h('span', { class: 'mono' }, deviceId)),
    info,
    h('section', {}, h('div', { class: 'section-head' }, h('h3', {}, 'Telemetry'), rangePicker), charts),
    h('section', {}, h('h3', {}, 'Alert history'), history),
  );

  function pickRange(ms, button) {
    rangeMs = ms;
    for (const b of rangePicker.children) b.classList.toggle('selected', b === button);
    loadCharts();
  }

  async function load() {
    try {
      device = await api(`/devices/${encodeURIComponent(deviceId)}`);
      [type, rules] = await Promise.all([
        api(`/device-types/${encodeURIComponent(device.type)}`).catch(() => undefined),
        api(withQuery('/rules', { deviceType: device.type, limit: 1000 }))
          .then((page) => rulesForDevice(device, page.items))
          .catch(() => []),
      ]);
      replace(info, deviceFacts(device, type));
      if (!stopped) factsTimer = setInterval(refreshFacts, FACTS_EVERY_MS);
    } catch (error) {
      replace(
        info,
        h(
          'p',
          { class: 'error' },
          error instanceof ApiError && error.status === 404
            ? `No device ${deviceId}.`
            : `Could not load the device: ${error.message}`,
        ),
      );
      return;
    }
    await loadAlerts();
    await loadCharts();
  }

  /** Presence and last seen move while the device publishes; the rest of the page stays as it is. */
  async function refreshFacts() {
    try {
      device = await api(`/devices/${encodeURIComponent(deviceId)}`);
      replace(info, deviceFacts(device, type));
    } catch {
      // Shown again at the next tick; a 401 already went back to the login.
    }
  }

  async function loadCharts() {
    const to = Date.now();
    const from = to - rangeMs;
    const fields = Object.entries(type?.fields ?? {})
      .filter(([, f]) => NUMERIC.has(f.kind))
      .map(([name]) => name);
    try {
      const result = await api(
        withQuery(`/telemetry/${encodeURIComponent(deviceId)}/history`, {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          every: intervalFor(rangeMs),
          fields: fields.join(','),
        }),
      );
      // A range picked meanwhile has its own request: this answer is out of date.
      if (rangeMs !== to - from) return;
      const series = result.series.filter((s) => fields.length === 0 || fields.includes(s.field));
      charts.dataset.range = rangeLabel();
      charts.dataset.resolution = result.resolution;
      replace(
        charts,
        resolutionLine(result),
        series.length
          ? series.map((s) =>
              fieldChart(s, {
                unit: type?.fields?.[s.field]?.unit,
                from,
                to,
                thresholds: thresholdsOf(s.field),
                alertPeriods: periodsOf(s.field, to),
              }),
            )
          : h('p', { class: 'quiet' }, 'No readings in this range.'),
      );
    } catch (error) {
      replace(charts, h('p', { class: 'error' }, `Could not load telemetry: ${error.message}`));
    }
  }

  function thresholdsOf(field) {
    return rules.filter((r) => r.field === field).flatMap(ruleThresholds);
  }

  function periodsOf(field, nowMs) {
    return deviceAlerts
      .filter((a) => a.field === field)
      .map((a) => ({
        id: a.id,
        severity: a.severity,
        fromMs: Date.parse(a.openedAt),
        toMs: a.resolvedAt ? Date.parse(a.resolvedAt) : nowMs,
        open: !a.resolvedAt,
      }));
  }

  /** Newest first, a page of ALERTS_PAGE at a time, with a button for the next while the API says more exist. */
  async function loadAlerts() {
    try {
      const page = await api(withQuery('/alerts', { deviceId, limit: ALERTS_PAGE, offset: deviceAlerts.length }));
      deviceAlerts = [...deviceAlerts, ...page.items];
      const more = page.more
        ? h(
            'button',
            { type: 'button', class: 'quiet more', onclick: () => loadAlerts().then(loadCharts) },
            `${page.total - deviceAlerts.length} more`,
          )
        : null;
      const unit = (a) => valueUnit(a, type ? { [type.name]: type } : {});
      replace(
        history,
        deviceAlerts.length
          ? [
              h(
                'ol',
                { class: 'history-list' },
                deviceAlerts.map((a) => alertEntry(a, unit(a))),
              ),
              more,
            ]
          : h('p', { class: 'quiet' }, 'No alerts.'),
      );
    } catch (error) {
      replace(history, h('p', { class: 'error' }, `Could not load alerts: ${error.message}`));
    }
  }

  load();
  return () => {
    stopped = true;
    clearInterval(factsTimer);
  };
}

function deviceFacts(device, type) {
  const presence = device.presence ?? {};
  return h(
    'dl',
    { class: 'facts' },
    fact('type', type?.title ? `${device.type} — ${type.title}` : device.type),
    fact('name', device.name ?? '—'),
    fact('city / site', `${device.city} / ${device.site}`),
    fact(
      'status',
      h(
        'span',
        { class: presence.online ? 'online' : 'offline', 'data-online': String(Boolean(presence.online)) },
        presence.online ? 'online' : 'offline',
      ),
    ),
    fact(
      'last seen',
      h('span', { class: 'last-seen', 'data-last-seen': presence.lastSeen ?? '' }, formatTime(presence.lastSeen)),
    ),
    device.revoked ? fact('credentials', 'revoked') : null,
  );
}

const RESOLUTIONS = { raw: 'raw readings', '1m': '1-minute rollups', '1h': '1-hour rollups' };

/**
 * What the charts were read from (the API picks raw readings or a rollup by range and interval):
 * a rollup-backed chart's newest interval can lag the raw readings by a few minutes, and when
 * the rollups are missing the API says why it read raw readings instead.
 */
function resolutionLine({ every, resolution, resolutionNote }) {
  return h(
    'p',
    { class: 'resolution quiet', 'data-resolution': resolution, title: resolutionNote ?? '' },
    `mean, min and max every ${every}, from ${RESOLUTIONS[resolution] ?? resolution}`,
    resolutionNote ? ` — ${resolutionNote}` : '',
  );
}

/** One alert of the device; its transitions (GET /alerts/:id/history) open on demand. */
function alertEntry(alert, unit) {
  const withUnit = (n) => `${formatNumber(n)}${unit ? ` ${unit}` : ''}`;
  const transitions = h('ol', { class: 'transitions', hidden: true });
  const toggle = h(
    'button',
    { type: 'button', class: 'quiet', onclick: () => showTransitions(alert.id, transitions) },
    'history',
  );
  return h(
    'li',
    { class: `alert-entry sev-${alert.severity}`, 'data-alert-id': alert.id, 'data-state': alert.state },
    h('span', { class: `badge sev-${alert.severity}` }, alert.severity),
    ' ',
    h('span', { class: 'state' }, alert.state),
    ' ',
    maintenanceBadge(alert),
    ' ',
    h('strong', {}, alertTitle(alert)),
    ' ',
    h(
      'span',
      { class: 'quiet' },
      `${formatTime(alert.openedAt)}${alert.resolvedAt ? ` → ${formatTime(alert.resolvedAt)}` : ''} ` +
        `· ${alert.count}× ` +
        `· ${alert.ruleKind === 'deadman' ? 'longest silence' : 'peak'} ${withUnit(alert.peakValue)}`,
    ),
    ' ',
    toggle,
    transitions,
  );
}

async function showTransitions(id, list) {
  if (!list.hidden) {
    list.hidden = true;
    return;
  }
  try {
    const { items } = await api(`/alerts/${encodeURIComponent(id)}/history`);
    replace(
      list,
      items.map((e) =>
        h(
          'li',
          {},
          `${formatTime(e.at)} ${e.kind}`,
          e.actor ? ` by ${e.actor}` : '',
          e.detail ? ` (${e.detail})` : '',
          e.note ? ` — “${e.note}”` : '',
          e.value !== undefined ? ` — value ${formatNumber(e.value)}` : '',
        ),
      ),
    );
  } catch (error) {
    replace(list, h('li', { class: 'error' }, error.message));
  }
  list.hidden = false;
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
