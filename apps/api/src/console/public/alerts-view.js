import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { openEventStream } from './event-stream.js';
import { formatNumber, formatTime } from './format.js';
import { SEVERITIES, STATE_CHOICES, applyMessage, matchesFilters, queueOrder, statesToQuery } from './alert-list.js';
import { deviceLink, operatorName, setLive } from './shell.js';

const PAGE = 200;

/**
 * The live alert queue: GET /alerts for the filters, then every message of GET /alerts/stream
 * updates it in place, without reload. Acknowledge and resolve with a note.
 */
export function alertsView(root) {
  const filters = { city: '', site: '', severity: '', state: 'active' };
  /** Every alert known to the page, by id; the list shows those matching the filters. */
  const alerts = new Map();
  /** Note fields survive re-rendering, so live updates never eat what an operator is typing. */
  const notes = new Map();
  const list = h('ol', { class: 'alert-list', 'aria-live': 'polite' });
  const summary = h('p', { class: 'summary' });
  const citySelect = h('select', { name: 'city', onchange: (e) => setFilter('city', e.target.value) }, h('option', { value: '' }, 'all cities'));

  replace(
    root,
    h('h2', {}, 'Alert queue'),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'City ', citySelect),
      h('label', {}, 'Site ', h('input', { name: 'site', type: 'search', placeholder: 'any site', oninput: (e) => setFilter('site', e.target.value.trim()) })),
      h('label', {}, 'Severity ', h('select', { name: 'severity', onchange: (e) => setFilter('severity', e.target.value) }, h('option', { value: '' }, 'any'), SEVERITIES.map((s) => h('option', { value: s }, s)))),
      h('label', {}, 'State ', h('select', { name: 'state', onchange: (e) => setFilter('state', e.target.value) }, STATE_CHOICES.map((s) => h('option', { value: s }, s)))),
    ),
    summary,
    list,
  );

  api('/presence/counts')
    .then((counts) => citySelect.append(...Object.keys(counts).map((city) => h('option', { value: city }, city))))
    .catch(() => undefined);

  function setFilter(name, value) {
    filters[name] = value;
    if (name === 'site') render();
    else reload();
  }

  /** The server filters by city, severity and state; site is filtered here (GET /alerts has no site filter). */
  async function reload() {
    try {
      const pages = await Promise.all(
        statesToQuery(filters.state).map((state) => api(withQuery('/alerts', { city: filters.city, severity: filters.severity, state, limit: PAGE }))),
      );
      for (const page of pages) for (const alert of page.items) alerts.set(alert.id, alert);
      render();
    } catch (error) {
      replace(summary, h('span', { class: 'error' }, `Could not load alerts: ${error.message}`));
    }
  }

  function render() {
    const shown = [...alerts.values()].filter((a) => matchesFilters(a, filters)).sort(queueOrder);
    replace(summary, `${shown.length} alert${shown.length === 1 ? '' : 's'}`);
    replace(list, shown.map(renderAlert));
    // Highlighted once, when it arrives; later renders show it plainly.
    for (const alert of shown) delete alert.fresh;
  }

  function renderAlert(alert) {
    if (!notes.has(alert.id)) notes.set(alert.id, h('input', { class: 'note', type: 'text', maxlength: 1000, placeholder: 'note (optional)', 'aria-label': 'note' }));
    const note = notes.get(alert.id);
    const actions = alert.state === 'resolved'
      ? []
      : [
          note,
          alert.state === 'open' ? h('button', { type: 'button', class: 'ack', onclick: () => act(alert, 'acknowledge', note) }, 'Acknowledge') : null,
          h('button', { type: 'button', class: 'resolve', onclick: () => act(alert, 'resolve', note) }, 'Resolve'),
        ];
    return h('li', { class: `alert sev-${alert.severity} state-${alert.state}${alert.fresh ? ' fresh' : ''}`, 'data-alert-id': alert.id, 'data-state': alert.state },
      h('div', { class: 'alert-head' },
        h('span', { class: `badge sev-${alert.severity}` }, alert.severity),
        h('span', { class: 'state' }, alert.state),
        h('strong', { class: 'description' }, alert.description),
      ),
      h('dl', { class: 'facts' },
        fact('device', deviceLink(alert.deviceId)),
        fact('where', `${alert.city} / ${alert.site}`),
        fact('field', alert.field || 'no data'),
        fact('count', String(alert.count)),
        fact('last', formatNumber(alert.lastValue)),
        fact('peak', formatNumber(alert.peakValue)),
        fact('opened', formatTime(alert.openedAt)),
        fact('updated', formatTime(alert.updatedAt)),
        fact('assignee', alert.assignee ?? '—'),
        alert.acknowledgedBy ? fact('acknowledged by', alert.acknowledgedBy) : null,
        alert.resolvedAt ? fact('resolved', `${formatTime(alert.resolvedAt)} by ${alert.resolvedBy ?? '?'}`) : null,
      ),
      h('div', { class: 'actions' }, actions),
    );
  }

  async function act(alert, action, note) {
    try {
      const updated = await api(`/alerts/${encodeURIComponent(alert.id)}/${action}`, { method: 'POST', body: { by: operatorName(), ...(note.value.trim() && { note: note.value.trim() }) } });
      note.value = '';
      alerts.set(updated.id, updated);
      render();
    } catch (error) {
      window.alert(`${action} failed: ${error.message}`);
    }
  }

  const stop = openEventStream('/alerts/stream', {
    onOpen: reload,
    onStatus: setLive,
    onEvent: (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message?.alert?.id) return;
      alerts.set(message.alert.id, { ...applyMessage(alerts.get(message.alert.id), message), fresh: event.event === 'raised' });
      render();
    },
  });
  return stop;
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
