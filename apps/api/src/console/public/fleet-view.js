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
      const cities = await Promise.all(Object.entries(counts).map(async ([city, c]) => ({ city, ...c, alerting: await devicesWithAlerts(city) })));
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

/** Devices of the city with open or acknowledged alerts: how many, and the worst severity. */
async function devicesWithAlerts(city) {
  const pages = await Promise.all(['open', 'acknowledged'].map((state) => api(withQuery('/alerts', { city, state, limit: 1000 }))));
  const byDevice = new Map();
  for (const alert of pages.flatMap((p) => p.items)) {
    const entry = byDevice.get(alert.deviceId) ?? { deviceId: alert.deviceId, site: alert.site, alerts: 0, worst: 'info' };
    entry.alerts += 1;
    if (SEVERITY_RANK[alert.severity] < SEVERITY_RANK[entry.worst]) entry.worst = alert.severity;
    byDevice.set(alert.deviceId, entry);
  }
  return [...byDevice.values()].sort((a, b) => SEVERITY_RANK[a.worst] - SEVERITY_RANK[b.worst] || b.alerts - a.alerts);
}

function cityCard({ city, online, offline, alerting }) {
  return h('section', { class: 'city', 'data-city': city, 'data-online': online, 'data-offline': offline },
    h('h3', {}, city),
    h('div', { class: 'counts' },
      h('div', { class: 'count online' }, h('span', { class: 'n' }, String(online)), ' online'),
      h('div', { class: 'count offline' }, h('span', { class: 'n' }, String(offline)), ' offline'),
    ),
    h('h4', {}, `Devices with open alerts (${alerting.length})`),
    alerting.length
      ? h('ul', { class: 'alerting' }, alerting.map((d) => h('li', { 'data-device-id': d.deviceId }, h('span', { class: `badge sev-${d.worst}` }, d.worst), ' ', deviceLink(d.deviceId), ` ${d.site} · ${d.alerts} alert${d.alerts === 1 ? '' : 's'}`)))
      : h('p', { class: 'quiet' }, 'none'),
  );
}
