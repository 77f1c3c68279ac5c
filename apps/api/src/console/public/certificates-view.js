import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { deviceLink } from './shell.js';

const WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

/** Device certificates expiring within 30 days (GET /certificates/expiring), soonest first, in the token's cities. */
export function certificatesView(root) {
  const body = h('div', {}, 'Loading…');
  replace(
    root,
    h('div', { class: 'section-head' }, h('h2', {}, `Certificates expiring within ${WINDOW_DAYS} days`)),
    body,
  );

  (async () => {
    try {
      const { items } = await api(withQuery('/certificates/expiring', { days: WINDOW_DAYS, limit: 1000 }));
      replace(
        body,
        items.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'certificates' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['device', 'city', 'expires', 'days left', 'serial', 'source'].map((c) => h('th', {}, c)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  items.map((c) => {
                    const daysLeft = Math.floor((Date.parse(c.notAfter) - Date.now()) / DAY_MS);
                    return h(
                      'tr',
                      {
                        'data-fingerprint': c.fingerprint,
                        'data-device-id': c.deviceId,
                        class: daysLeft < 7 ? 'soon' : '',
                      },
                      h('td', {}, deviceLink(c.deviceId)),
                      h('td', {}, c.city),
                      h('td', {}, new Date(c.notAfter).toLocaleDateString()),
                      h('td', { 'data-days-left': daysLeft }, String(daysLeft)),
                      h('td', { class: 'mono' }, c.serial ?? '—'),
                      h('td', {}, c.source),
                    );
                  }),
                ),
              ),
            )
          : h('p', { class: 'quiet' }, `No certificate expires within ${WINDOW_DAYS} days.`),
      );
    } catch (error) {
      replace(body, h('p', { class: 'error' }, `Could not load the certificates: ${error.message}`));
    }
  })();
  return () => undefined;
}
