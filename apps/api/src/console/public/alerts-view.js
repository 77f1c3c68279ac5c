import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { openEventStream } from './event-stream.js';
import { formatNumber, formatTime } from './format.js';
import {
  SEVERITIES,
  STATE_CHOICES,
  alertTitle,
  applyMessage,
  countsFor,
  matchesFilters,
  queueOrder,
  stateToQuery,
  statesOf,
  valueUnit,
} from './alert-list.js';
import { keyedList } from './keyed-list.js';
import { deviceLink, operatorName, setLive } from './shell.js';
import { maintenanceBadge } from './maintenance-view.js';

const PAGE = 200;
/** Live events come in bursts (an alert storm): the counts are re-read at most this often. */
const COUNTS_EVERY_MS = 1000;

/**
 * The live alert queue: GET /alerts (most severe first) for the filters, a page at a time, and
 * every message of GET /alerts/stream updates it in place, without reload. GET /alerts/counts
 * says how many alerts each severity and state has, so nothing the filters match is hidden: a
 * severity's count is a button that shows just that severity. Acknowledge and resolve one alert
 * with a note, or acknowledge and assign the selected ones at once. Rows are kept by alert id
 * and updated in place, so a live update never touches what an operator is typing.
 */
export function alertsView(root) {
  const filters = { city: '', site: '', severity: '', state: 'active' };
  /** Every alert known to the page, by id; the list shows those matching the filters. */
  const alerts = new Map();
  /** How many of the current query's alerts came from GET /alerts pages, and whether it said more exist. */
  const paging = { loaded: 0, more: false };
  let counts;
  /** Device types by name (units of the values on the cards). */
  let types = {};
  /** Ids ticked for a bulk action. */
  const selected = new Set();

  const summary = h('p', { class: 'summary', 'aria-live': 'polite' });
  const countsBar = h('div', { class: 'alert-counts', role: 'group', 'aria-label': 'alerts per severity and state' });
  const moreButton = h('button', {
    type: 'button',
    class: 'quiet more',
    hidden: true,
    onclick: () => loadPage(paging.loaded),
  });
  const rows = keyedList(h('ol', { class: 'alert-list' }), renderCard);
  const citySelect = h(
    'select',
    { name: 'city', onchange: (e) => setFilter('city', e.target.value) },
    h('option', { value: '' }, 'all cities'),
  );
  const bulk = bulkBar();

  replace(
    root,
    h('h2', {}, 'Alert queue'),
    h(
      'form',
      { class: 'filters', onsubmit: (e) => e.preventDefault() },
      h('label', {}, 'City ', citySelect),
      h(
        'label',
        {},
        'Site ',
        h('input', {
          name: 'site',
          type: 'search',
          placeholder: 'site id',
          onchange: (e) => setFilter('site', e.target.value.trim()),
        }),
      ),
      h(
        'label',
        {},
        'Severity ',
        h(
          'select',
          { name: 'severity', onchange: (e) => setFilter('severity', e.target.value) },
          h('option', { value: '' }, 'any'),
          SEVERITIES.map((s) => h('option', { value: s }, s)),
        ),
      ),
      h(
        'label',
        {},
        'State ',
        h(
          'select',
          { name: 'state', onchange: (e) => setFilter('state', e.target.value) },
          STATE_CHOICES.map((s) => h('option', { value: s }, s)),
        ),
      ),
    ),
    countsBar,
    summary,
    bulk.element,
    rows.element,
    moreButton,
  );

  api('/presence/counts')
    .then((byCity) => citySelect.append(...Object.keys(byCity).map((city) => h('option', { value: city }, city))))
    .catch(() => undefined);
  api('/device-types')
    .then(({ items }) => {
      types = Object.fromEntries(items.map((t) => [t.name, t]));
      rows.refreshAll();
    })
    .catch(() => undefined);

  function setFilter(name, value) {
    filters[name] = value;
    for (const select of root.querySelectorAll(`.filters [name="${name}"]`)) select.value = value;
    selected.clear();
    reload();
  }

  function query(offset) {
    return {
      city: filters.city,
      site: filters.site,
      severity: filters.severity,
      state: stateToQuery(filters.state),
      order: 'severity',
      limit: PAGE,
      offset,
    };
  }

  async function reload() {
    paging.loaded = 0;
    await Promise.all([loadPage(0), loadCounts()]);
  }

  /** The server filters and orders (most severe first); the page keeps what it was sent by id. */
  async function loadPage(offset) {
    const asked = JSON.stringify(filters);
    try {
      const page = await api(withQuery('/alerts', query(offset)));
      if (asked !== JSON.stringify(filters)) return;
      for (const alert of page.items) alerts.set(alert.id, { ...alerts.get(alert.id), ...alert });
      paging.loaded = offset + page.items.length;
      paging.more = page.more;
      render();
    } catch (error) {
      replace(summary, h('span', { class: 'error' }, `Could not load alerts: ${error.message}`));
    }
  }

  let countsTimer;
  let countsLoading = false;
  /** Re-reads the counts at most every COUNTS_EVERY_MS, however many live events arrive. */
  function loadCountsSoon() {
    if (countsTimer) return;
    countsTimer = setTimeout(() => {
      countsTimer = undefined;
      loadCounts();
    }, COUNTS_EVERY_MS);
  }

  async function loadCounts() {
    if (countsLoading) return loadCountsSoon();
    countsLoading = true;
    try {
      // Only the states the filter shows: counting the resolved history of a busy city is not free.
      counts = (
        await api(
          withQuery('/alerts/counts', { city: filters.city, site: filters.site, state: stateToQuery(filters.state) }),
        )
      ).counts;
      render();
    } catch {
      // The list still works without counts; the next event tries again.
    } finally {
      countsLoading = false;
    }
  }

  function render() {
    const shown = [...alerts.values()].filter((a) => matchesFilters(a, filters)).sort(queueOrder);
    rows.show(shown);
    // Highlighted once, when it arrives; later renders show it plainly.
    for (const alert of shown) delete alert.fresh;
    for (const id of selected) if (!rows.has(id)) selected.delete(id);
    renderCounts(shown.length);
    bulk.update();
  }

  function renderCounts(shownCount) {
    const { bySeverity, byState, total } = countsFor(counts, filters);
    replace(
      countsBar,
      SEVERITIES.map((s) =>
        h(
          'button',
          {
            type: 'button',
            class:
              `count-button ` +
              `sev-${s}${filters.severity === s ? ' selected' : ''}${bySeverity[s] > 0 ? ' some' : ''}`,
            'data-severity': s,
            'data-count': bySeverity[s],
            'aria-pressed': String(filters.severity === s),
            title: filters.severity === s ? 'show every severity' : `show only ${s} alerts`,
            onclick: () => setFilter('severity', filters.severity === s ? '' : s),
          },
          `${s} ${bySeverity[s]}`,
        ),
      ),
      h(
        'span',
        { class: 'state-counts quiet' },
        Object.entries(byState)
          .filter(([state]) => statesOf(filters.state).includes(state))
          .map(([state, n]) =>
            h('span', { class: 'state-count', 'data-state': state, 'data-count': n }, `${state} ${n}`),
          ),
      ),
    );
    const known = counts ? total : undefined;
    // Counts come from the server; live events may make the list run a little ahead of them.
    const hidden = known === undefined ? 0 : Math.max(0, known - shownCount);
    summary.dataset.shown = String(shownCount);
    summary.dataset.total = known === undefined ? '' : String(known);
    replace(
      summary,
      known === undefined
        ? `${shownCount} alert${shownCount === 1 ? '' : 's'}`
        : `Showing ${shownCount} of ${known} alert${known === 1 ? '' : 's'}`,
    );
    const more = paging.more || hidden > 0;
    moreButton.hidden = !more;
    moreButton.dataset.more = String(hidden);
    moreButton.textContent = hidden > 0 ? `${hidden} more — show ${Math.min(hidden, PAGE)} more` : 'show more';
  }

  /** A card's content: rebuilt when its alert changes, around the note and checkbox that live on. */
  function renderCard(alert, keep) {
    const unit = valueUnit(alert, types);
    const withUnit = (n) => `${formatNumber(n)}${unit && n !== undefined && n !== null ? ` ${unit}` : ''}`;
    const deadman = alert.ruleKind === 'deadman';
    const resolved = alert.state === 'resolved';
    return {
      signature: JSON.stringify([{ ...alert, fresh: undefined }, unit]),
      attributes: {
        class: `alert sev-${alert.severity} state-${alert.state}${alert.fresh ? ' fresh' : ''}`,
        'data-alert-id': alert.id,
        'data-state': alert.state,
        'data-severity': alert.severity,
      },
      children: () => [
        h(
          'div',
          { class: 'alert-head' },
          resolved
            ? null
            : keep('select', () =>
                h('input', {
                  type: 'checkbox',
                  class: 'select',
                  'aria-label': 'select for a bulk action',
                  onchange: (e) => toggleSelected(alert.id, e.target.checked),
                }),
              ),
          h('span', { class: `badge sev-${alert.severity}` }, alert.severity),
          h('span', { class: 'state' }, alert.state),
          maintenanceBadge(alert),
          h('strong', { class: 'description' }, alertTitle(alert)),
          alert.description?.trim() ? null : h('span', { class: 'quiet rule-id' }, '(rule has no description)'),
          alert.deliveryFailedAt
            ? h(
                'span',
                {
                  class: 'badge delivery-failed',
                  title: `a notification failed for good: ${alert.deliveryFailure ?? ''}`,
                },
                'delivery failed',
              )
            : null,
        ),
        h(
          'dl',
          { class: 'facts' },
          fact('device', deviceLink(alert.deviceId)),
          fact('where', `${alert.city} / ${alert.site}`),
          fact('field', alert.field || 'no data'),
          fact('rule', alert.ruleId),
          fact('count', String(alert.count)),
          fact(deadman ? 'silent for' : 'last', withUnit(alert.lastValue)),
          fact(deadman ? 'longest silence' : 'peak', withUnit(alert.peakValue)),
          fact('opened', formatTime(alert.openedAt)),
          fact('updated', formatTime(alert.updatedAt)),
          fact('assignee', alert.assignee ?? '—'),
          alert.acknowledgedBy ? fact('acknowledged by', alert.acknowledgedBy) : null,
          alert.resolvedAt ? fact('resolved', `${formatTime(alert.resolvedAt)} by ${alert.resolvedBy ?? '?'}`) : null,
        ),
        alert.lastNote
          ? h(
              'p',
              { class: 'last-note' },
              h('span', { class: 'quiet' }, `note by ${alert.lastNoteBy ?? '?'} at ${formatTime(alert.lastNoteAt)}: `),
              h('q', {}, alert.lastNote),
            )
          : null,
        resolved
          ? null
          : h(
              'div',
              { class: 'actions' },
              keep('note', () =>
                h('input', {
                  class: 'note',
                  type: 'text',
                  maxlength: 1000,
                  placeholder: 'note (optional)',
                  'aria-label': 'note',
                }),
              ),
              alert.state === 'open'
                ? h(
                    'button',
                    { type: 'button', class: 'ack', onclick: () => act(alert.id, 'acknowledge') },
                    'Acknowledge',
                  )
                : null,
              h('button', { type: 'button', class: 'resolve', onclick: () => act(alert.id, 'resolve') }, 'Resolve'),
            ),
      ],
    };
  }

  function toggleSelected(id, on) {
    if (on) selected.add(id);
    else selected.delete(id);
    bulk.update();
  }

  async function act(id, action) {
    const note = rows.kept(id, 'note');
    const sent = note?.value.trim() ?? '';
    try {
      const updated = await api(`/alerts/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        body: { by: operatorName(), ...(sent && { note: sent }) },
      });
      // Cleared only if it still holds what was sent: the operator may have typed on meanwhile.
      if (note && note.value.trim() === sent) note.value = '';
      alerts.set(updated.id, { ...alerts.get(updated.id), ...updated });
      render();
      loadCountsSoon();
    } catch (error) {
      window.alert(`${action} failed: ${error.message}`);
    }
  }

  /** Tick alerts, then acknowledge or assign them all with one note (POST /alerts/bulk). */
  function bulkBar() {
    const all = h('input', {
      type: 'checkbox',
      class: 'select-all',
      'aria-label': 'select every alert shown',
      onchange: (e) => selectAll(e.target.checked),
    });
    const count = h('span', { class: 'selected-count quiet' });
    const note = h('input', {
      class: 'bulk-note',
      type: 'text',
      maxlength: 1000,
      placeholder: 'note for the selected (optional)',
      'aria-label': 'note for the selected alerts',
    });
    const assignee = h('input', {
      class: 'bulk-assignee',
      type: 'text',
      maxlength: 64,
      placeholder: 'assignee',
      'aria-label': 'assignee',
    });
    const result = h('span', { class: 'bulk-result quiet', role: 'status' });
    const ackButton = h(
      'button',
      { type: 'button', class: 'bulk-ack', onclick: () => run('acknowledge') },
      'Acknowledge selected',
    );
    const assignButton = h(
      'button',
      { type: 'button', class: 'bulk-assign', onclick: () => run('assign') },
      'Assign selected',
    );
    const element = h(
      'div',
      { class: 'bulk' },
      h('label', {}, all, ' all shown'),
      count,
      note,
      ackButton,
      assignee,
      assignButton,
      result,
    );

    function selectAll(on) {
      for (const id of rows.ids()) {
        const box = rows.kept(id, 'select');
        if (!box) continue;
        box.checked = on;
        toggleSelected(id, on);
      }
    }

    async function run(action) {
      const ids = [...selected];
      if (ids.length === 0) return;
      if (action === 'assign' && !assignee.value.trim()) {
        assignee.focus();
        result.textContent = 'name an assignee';
        return;
      }
      const sent = note.value.trim();
      try {
        const body = {
          action,
          ids,
          by: operatorName(),
          ...(sent && { note: sent }),
          ...(action === 'assign' && { assignee: assignee.value.trim() }),
        };
        const { results, applied } = await api('/alerts/bulk', { method: 'POST', body });
        if (note.value.trim() === sent) note.value = '';
        const refused = results.filter((r) => !r.ok).length;
        const refusedNote = refused ? `, ${refused} refused (changed meanwhile)` : '';
        result.textContent = `${action === 'assign' ? 'assigned' : 'acknowledged'} ${applied}${refusedNote}`;
        for (const id of ids) {
          const box = rows.kept(id, 'select');
          if (box) box.checked = false;
        }
        selected.clear();
        all.checked = false;
        // The live stream brings each changed alert; reading the page again also covers a missed event.
        await reload();
      } catch (error) {
        result.textContent = `${action} failed: ${error.message}`;
      }
    }

    return {
      element,
      update() {
        count.textContent = `${selected.size} selected`;
        ackButton.disabled = selected.size === 0;
        assignButton.disabled = selected.size === 0;
        element.dataset.selected = String(selected.size);
      },
    };
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
      alerts.set(message.alert.id, {
        ...applyMessage(alerts.get(message.alert.id), message),
        fresh: event.event === 'raised',
      });
      render();
      loadCountsSoon();
    },
  });
  return () => {
    clearTimeout(countsTimer);
    stop();
  };
}

function fact(term, value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
