import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { fieldChart } from './chart.js';
import { openEventStream } from './event-stream.js';
import { formatNumber, formatTime } from './format.js';
import { setLive } from './shell.js';

/** Live rows kept per shared stream (newest first). */
const LIVE_ROWS = 50;

/**
 * Shared with us: the accepted shares the token's cities receive (GET /shares, readAs), each
 * marked with its source city and agreement. A telemetry share shows a chart of each shared field
 * over its range (GET /shares/:id/telemetry: aggregates at the share's granularity) and a table of
 * its live data (GET /shares/:id/stream); an alert share shows the shared alerts, read-only (no
 * action: they are the offering city's to handle). A share revoked or expired while shown says so
 * and stops streaming.
 */
export function sharedView(root) {
  const body = h('div', {}, 'Loading…');
  replace(root, h('div', { class: 'section-head' }, h('h2', {}, 'Shared with us')), body);
  const stops = [];
  (async () => {
    try {
      const { items } = await api('/shares?limit=1000');
      const received = items.filter((share) => share.readAs && share.status === 'accepted');
      if (received.length === 0) {
        replace(
          body,
          h(
            'p',
            { class: 'quiet' },
            'No city shares data with yours yet (an admin accepts an offered share: POST /shares/{id}/accept).',
          ),
        );
        return;
      }
      replace(
        body,
        received.map((share) => shareCard(share, stops)),
      );
      setLive('live');
    } catch (error) {
      replace(body, h('p', { class: 'error' }, `Could not load the shares: ${error.message}`));
    }
  })();
  return () => stops.forEach((stop) => stop());
}

/** "from tianjin · share sh-… · aggregates ≥ 15 min · data … – … · until …". */
function provenance(share) {
  const grain =
    share.kind === 'alerts'
      ? 'alert events'
      : share.granularity.kind === 'raw'
        ? 'raw readings'
        : share.granularity.kind === 'aggregate'
          ? `aggregates ≥ ${share.granularity.minIntervalMinutes} min`
          : `${share.granularity.kind === 'site-totals' ? 'site' : 'district'} totals ≥ ` +
            `${share.granularity.minIntervalMinutes} min of ≥ ${share.granularity.minDevices} devices`;
  return h(
    'p',
    { class: 'provenance' },
    h('span', { class: 'badge source', 'data-source-city': share.fromCity }, `from ${share.fromCity}`),
    ' ',
    h('span', { class: 'mono', 'data-share': share.id }, share.id),
    ' · ',
    grain,
    ' · ',
    `data ${formatTime(share.from)} – ${formatTime(share.to)}`,
    ' · ',
    `until ${formatTime(share.expiresAt)}`,
  );
}

function shareCard(share, stops) {
  const status = h('p', { class: 'share-status quiet' });
  const card = h(
    'section',
    { class: 'shared', 'data-share-id': share.id, 'data-source-city': share.fromCity, 'data-kind': share.kind },
    h(
      'h3',
      {},
      share.kind === 'alerts'
        ? `Alerts shared by ${share.fromCity}`
        : `${share.deviceTypes.join(', ')} of ${share.fromCity}`,
    ),
    provenance(share),
    status,
  );
  const ended = (reason) => {
    card.dataset.ended = reason;
    status.textContent = `This share is ${reason}: nothing more is shown from it.`;
  };
  if (share.kind === 'alerts') alertsOf(share, card, stops, ended);
  else telemetryOf(share, card, stops, ended);
  return card;
}

function telemetryOf(share, card, stops, ended) {
  const charts = h('div', { class: 'charts' });
  const liveRows = h('tbody', {});
  card.append(
    charts,
    h('h4', {}, 'Live'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'shared-live' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['time', 'field', 'site', 'device', 'value', 'source'].map((c) => h('th', {}, c)),
          ),
        ),
        liveRows,
      ),
    ),
  );
  const to = Math.min(Date.now(), Date.parse(share.to));
  const from = Math.max(Date.parse(share.from), to - 3_600_000);
  for (const deviceType of share.deviceTypes) {
    for (const field of share.fields) {
      const path = withQuery(`/shares/${share.id}/telemetry`, {
        deviceType,
        field,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      });
      api(path).then(
        (answer) =>
          charts.append(
            ...chartSeries(deviceType, field, answer).map(({ label, group, points }) =>
              h(
                'div',
                { class: 'shared-chart', 'data-device-type': deviceType, 'data-field': field, 'data-group': group },
                fieldChart({ field: label, points }, { from: Date.parse(answer.from), to: Date.parse(answer.to) }),
                h('p', { class: 'quiet' }, `${answer.source.city} · ${answer.source.share} · every ${answer.every}`),
              ),
            ),
          ),
        // A type without this field: nothing to chart.
        (error) =>
          error.status === 400 || charts.append(h('p', { class: 'error' }, `${deviceType}.${field}: ${error.message}`)),
      );
    }
  }
  const row = (time, m, site, device, value) =>
    h(
      'tr',
      { 'data-source-city': m.source.city, 'data-share': m.source.share },
      h('td', {}, formatTime(time)),
      h('td', {}, `${m.deviceType}.${m.field}`),
      h('td', {}, site ?? '—'),
      h('td', { class: 'mono' }, device ?? '—'),
      h('td', { class: 'value' }, value),
      h('td', {}, `${m.source.city} · ${m.source.share}`),
    );
  stops.push(
    stream(share, ended, (event, m) => {
      const rows =
        event === 'aggregate'
          ? [
              row(
                m.point.time,
                m,
                'all shared',
                `${m.every} aggregate`,
                `mean ${formatNumber(m.point.mean)} (min ${formatNumber(m.point.min)}, ` +
                  `max ${formatNumber(m.point.max)})`,
              ),
            ]
          : event === 'totals'
            ? m.totals.map((t) =>
                row(
                  t.time,
                  m,
                  t.site ?? `district ${t.district}`,
                  `${m.every} total`,
                  `sum ${formatNumber(t.sum)} (mean ${formatNumber(t.mean)}, ${t.devices} devices)`,
                ),
              )
            : (m.readings ?? []).map((r) => row(r.time, m, r.site, r.deviceId, formatNumber(r.value)));
      liveRows.prepend(...rows.reverse());
      while (liveRows.children.length > LIVE_ROWS) liveRows.lastElementChild.remove();
    }),
  );
}

/**
 * What to chart of one shared field's answer: its points, or for a totals share a chart per site
 * (district) of its sum per interval (the line; a total has no min–max band).
 */
function chartSeries(deviceType, field, answer) {
  if (!answer.totals) return [{ label: `${deviceType}.${field}`, points: answer.points ?? [] }];
  const byGroup = new Map();
  for (const t of answer.totals) {
    const group = t.site ?? t.district;
    if (!byGroup.has(group)) byGroup.set(group, []);
    byGroup.get(group).push({ time: t.time, mean: t.sum, min: t.sum, max: t.sum });
  }
  if (byGroup.size === 0) return [{ label: `${deviceType}.${field} totals`, points: [] }];
  return [...byGroup].map(([group, points]) => ({
    label: `${deviceType}.${field} sum · ${answer.by} ${group}`,
    group,
    points,
  }));
}

function alertsOf(share, card, stops, ended) {
  const rows = h('tbody', {});
  card.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'shared-alerts' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['opened', 'severity', 'state', 'alert', 'device', 'site', 'value', 'source'].map((c) => h('th', {}, c)),
          ),
        ),
        rows,
      ),
    ),
  );
  const byId = new Map();
  const show = ({ source, alert }) => {
    const tr = h(
      'tr',
      { 'data-alert-id': alert.id, 'data-source-city': source.city, 'data-share': source.share },
      h('td', {}, formatTime(alert.openedAt)),
      h('td', {}, h('span', { class: `badge sev-${alert.severity}` }, alert.severity)),
      h('td', {}, alert.state),
      h('td', {}, alert.description || alert.ruleId),
      h('td', { class: 'mono' }, alert.deviceId),
      h('td', {}, alert.site),
      h('td', {}, `${alert.field} ${formatNumber(alert.lastValue)}`),
      h('td', {}, `${source.city} · ${source.share}`),
    );
    const old = byId.get(alert.id);
    if (old) old.replaceWith(tr);
    else rows.prepend(tr);
    byId.set(alert.id, tr);
  };
  api(`/shares/${share.id}/alerts?limit=100`).then(
    ({ items }) => [...items].reverse().forEach(show),
    (error) => card.append(h('p', { class: 'error' }, `Could not load the shared alerts: ${error.message}`)),
  );
  stops.push(stream(share, ended, (event, m) => event === 'alert' && show(m)));
}

/** The share's live stream until it ends (revoked, expired); `onMessage(event, data)` for each message. */
function stream(share, ended, onMessage) {
  let stop = () => undefined;
  stop = openEventStream(`/shares/${share.id}/stream`, {
    onEvent: ({ event, data }) => {
      const message = JSON.parse(data);
      if (event === 'end') {
        stop();
        ended(message.reason);
        return;
      }
      onMessage(event, message);
    },
  });
  return () => stop();
}
