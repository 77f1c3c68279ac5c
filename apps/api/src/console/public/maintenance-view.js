import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { formatTime } from './format.js';
import { deviceLink } from './shell.js';

const REFRESH_MS = 30_000;

/**
 * Maintenance windows open now and coming up (GET /maintenance-windows), in the token's cities,
 * and the alerts they suppressed (GET /alerts?suppressed=true): recorded, notified no one.
 * Refreshed every 30 s, so a window opening or closing shows without reload.
 */
export function maintenanceView(root) {
  const windows = h('div', {}, 'Loading…');
  const suppressed = h('div', {}, 'Loading…');
  replace(
    root,
    h('div', { class: 'section-head' }, h('h2', {}, 'Maintenance windows')),
    h(
      'p',
      { class: 'quiet' },
      'While a window is open, alerts of the devices in its scope are recorded as suppressed and notify no ' +
        'one, and deadman checks skip those devices.',
    ),
    windows,
    h('h3', {}, 'Suppressed alerts'),
    suppressed,
  );

  async function load() {
    try {
      const { items } = await api(withQuery('/maintenance-windows', { limit: 1000 }));
      const current = items.filter((w) => w.open || w.upcoming);
      replace(
        windows,
        current.length
          ? windowTable(current)
          : h('p', { class: 'quiet' }, 'No maintenance window is open or coming up.'),
      );
    } catch (error) {
      replace(windows, h('p', { class: 'error' }, `Could not load the maintenance windows: ${error.message}`));
    }
    try {
      const { items } = await api(withQuery('/alerts', { suppressed: 'true', limit: 200 }));
      replace(
        suppressed,
        items.length ? suppressedTable(items) : h('p', { class: 'quiet' }, 'No alert was suppressed.'),
      );
    } catch (error) {
      replace(suppressed, h('p', { class: 'error' }, `Could not load the suppressed alerts: ${error.message}`));
    }
  }

  load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

/**
 * A badge for an alert's maintenance: "suppressed" (raised under a window) or "maintenance" (its device is under one
 * now).
 */
export function maintenanceBadge(alert) {
  if (alert.suppressed)
    return h(
      'span',
      {
        class: 'badge maintenance suppressed',
        title: `raised under maintenance window ${alert.suppressedBy}: notified no one`,
      },
      'suppressed',
    );
  if (alert.underMaintenance)
    return h(
      'span',
      {
        class: 'badge maintenance',
        title: `device under maintenance until ${formatTime(alert.maintenanceWindow?.until)}`,
      },
      'maintenance',
    );
  return null;
}

function windowTable(items) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'maintenance-windows' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['status', 'city', 'scope', 'schedule', 'reason', 'by'].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((w) =>
          h(
            'tr',
            { 'data-window-id': w.id, class: w.open ? 'open' : 'upcoming' },
            h('td', { 'data-status': w.open ? 'open' : 'upcoming' }, status(w)),
            h('td', {}, w.city),
            h('td', {}, scope(w)),
            h('td', {}, schedule(w)),
            h('td', {}, w.reason ?? '—'),
            h('td', {}, w.createdBy),
          ),
        ),
      ),
    ),
  );
}

function status(w) {
  if (w.open) return `open until ${formatTime(w.currentOpening.end)}`;
  return `from ${formatTime(w.nextOpening.start)} to ${formatTime(w.nextOpening.end)}`;
}

function scope(w) {
  const parts = [
    w.site && `site ${w.site}`,
    w.deviceType && `type ${w.deviceType}`,
    w.deviceIds && `${w.deviceIds.length} device${w.deviceIds.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'whole city';
}

function schedule(w) {
  if (!w.recurrence) return `once, ${formatTime(w.startsAt)} – ${formatTime(w.endsAt)}`;
  const { cron, timeZone, durationMinutes } = w.recurrence;
  return h('span', {}, h('code', {}, cron), ` ${timeZone}, ${durationMinutes} min`);
}

function suppressedTable(items) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'maintenance-windows suppressed-alerts' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['device', 'rule', 'severity', 'state', 'opened', 'window'].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((a) =>
          h(
            'tr',
            { 'data-alert-id': a.id },
            h('td', {}, deviceLink(a.deviceId)),
            h('td', {}, a.ruleId),
            h('td', {}, a.severity),
            h('td', {}, a.state),
            h('td', {}, formatTime(a.openedAt)),
            h('td', { class: 'mono' }, a.suppressedBy),
          ),
        ),
      ),
    ),
  );
}
