import { ApiError, api } from './api.js';
import { h, replace } from './dom.js';

const REFRESH_MS = 5000;

/** Depth and failures per BullMQ queue (GET /queues, admin tokens only), refreshed every few seconds. */
export function queuesView(root) {
  const body = h('div', {}, 'Loading…');
  replace(
    root,
    h(
      'div',
      { class: 'section-head' },
      h('h2', {}, 'Queue health'),
      h('a', { href: '/queues/board', target: '_blank', rel: 'noopener', class: 'button' }, 'Open the queue dashboard'),
    ),
    body,
  );

  async function refresh() {
    try {
      const { items } = await api('/queues');
      replace(
        body,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'queues' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['queue', 'depth', 'active', 'failed', 'done / min', 'failed / min', 'paused'].map((c) =>
                  h('th', {}, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              items.map((q) =>
                h(
                  'tr',
                  { 'data-queue': q.name, class: q.counts.failed > 0 ? 'has-failed' : '' },
                  h('td', {}, q.name),
                  h('td', { 'data-depth': q.depth }, String(q.depth)),
                  h('td', {}, String(q.counts.active ?? 0)),
                  h('td', { 'data-failed': q.counts.failed ?? 0 }, String(q.counts.failed ?? 0)),
                  h('td', {}, String(q.ratesPerMinute.completedLastMinute)),
                  h('td', {}, String(q.ratesPerMinute.failedLastMinute)),
                  h('td', {}, q.paused ? 'yes' : 'no'),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      const message =
        error instanceof ApiError && error.status === 403
          ? 'Queue health needs an admin token.'
          : `Could not load the queues: ${error.message}`;
      replace(body, h('p', { class: 'error' }, message));
    }
  }

  refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}
