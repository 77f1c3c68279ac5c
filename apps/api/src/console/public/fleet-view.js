import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { openEventStream } from './event-stream.js';
import { deviceLink, setLive } from './shell.js';

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 };

/**
 * Per city: devices online and offline (GET /presence/counts) and the devices with unresolved
 * alerts. Refreshed when presence changes (GET /presence/events), at most once a second.
 */
export function fleetView(root) {
  const body = h('div', { class: 'cities' }, 'Loading…');
  replace(root, h('h2', {}, 'Fleet'), body);
  let pending;

  async function refresh() {
    pending = undefined;
    try {
      const counts = await api('/presence/counts');
      const cities = await Promise.all(
        Object.entries(counts).map(async ([city, c]) => ({ city, ...c, alerting: await devicesWithAlerts(city) })),
      );
      replace(body, cities.length ? cities.map(cityCard) : h('p', {}, 'No devices yet.'));
    } catch (error) {
      replace(body, h('p', { class: 'error' }, `Could not load the fleet: ${error.message}`));
    }
  }

  const stop = openEventStream('/presence/events', {
    onOpen: refresh,
    onStatus: setLive,
    onEvent: () => {
      pending ??= setTimeout(refresh, 1000);
    },
  });
  return () => {
    clearTimeout(pending);
    stop();
  };
}

/**
 * Devices of the city with open or acknowledged alerts: how many, and the worst severity. Most
 * severe first, so past the first 1000 alerts only lesser ones are left out (and the card says so).
 */
async function devicesWithAlerts(city) {
  const page = await api(withQuery('/alerts', { city, state: 'active', order: 'severity', limit: 1000 }));
  const byDevice = new Map();
  for (const alert of page.items) {
    const entry = byDevice.get(alert.deviceId) ?? {
      deviceId: alert.deviceId,
      site: alert.site,
      alerts: 0,
      worst: 'info',
    };
    entry.alerts += 1;
    if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[entry.worst]) entry.worst = alert.severity;
    byDevice.set(alert.deviceId, entry);
  }
  const devices = [...byDevice.values()].sort(
    (a, b) => SEVERITY_RANK[a.worst] - SEVERITY_RANK[b.worst] || b.alerts - a.alerts,
  );
  return Object.assign(devices, { more: page.more, total: page.total });
}

function cityCard({ city, online, offline, alerting }) {
  return h(
    'section',
    { class: 'city', 'data-city': city, 'data-online': online, 'data-offline': offline },
    h('h3', {}, city),
    h(
      'div',
      { class: 'counts' },
      h('div', { class: 'count online' }, h('span', { class: 'n' }, String(online)), ' online'),
      h('div', { class: 'count offline' }, h('span', { class: 'n' }, String(offline)), ' offline'),
    ),
    h('h4', {}, `Devices with open alerts (${alerting.length})`),
    alerting.length
      ? h(
          'ul',
          { class: 'alerting' },
          alerting.map((d) =>
            h(
              'li',
              { 'data-device-id': d.deviceId },
              h('span', { class: `badge sev-${d.worst}` }, d.worst),
              ' ',
              deviceLink(d.deviceId),
              ` ${d.site} · ${d.alerts} alert${d.alerts === 1 ? '' : 's'}`,
            ),
          ),
        )
      : h('p', { class: 'quiet' }, 'none'),
    alerting.more
      ? h(
          'p',
          { class: 'quiet more-alerts' },
          `from the ${alerting.total ?? 'many'} active alerts, the 1000 most severe: `,
          h('a', { href: '#/alerts' }, 'the alert queue'),
          ' has them all',
        )
      : null,
  );
}
