import { api, withQuery } from './api.js';
import { h, replace } from './dom.js';
import { openEventStream } from './event-stream.js';
import { formatTime } from './format.js';
import { deviceLink, setLive } from './shell.js';
import { whoAmI } from './session.js';
import { newJobForm } from './job-form.js';

const LIVE = ['running', 'paused'];
const DEVICE_STATES = [
  'queued',
  'dispatching',
  'waiting',
  'in-progress',
  'succeeded',
  'failed',
  'timed-out',
  'skipped',
];

/**
 * Fleet jobs (GET /jobs), newest first, in the token's cities; refreshed every few seconds. Admin
 * tokens also get the "New job" form (operators may not create jobs: they see the list only).
 */
export function jobsView(root) {
  const body = h('div', {}, 'Loading…');
  const create = h('div', {});
  replace(root, h('div', { class: 'section-head' }, h('h2', {}, 'Fleet jobs')), create, body);
  whoAmI().then((identity) => {
    create.dataset.role = identity.role;
    if (identity.role === 'admin') replace(create, newJobForm(identity));
  });
  const load = async () => {
    try {
      const { items } = await api(withQuery('/jobs', { limit: 100 }));
      replace(
        body,
        items.length
          ? h(
              'div',
              { class: 'table-wrap' },
              h(
                'table',
                { class: 'jobs' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    ['job', 'kind', 'city', 'state', 'progress', 'created'].map((c) => h('th', {}, c)),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  items.map((job) =>
                    h(
                      'tr',
                      { 'data-job-id': job.id, 'data-state': job.state },
                      h('td', {}, h('a', { href: `#/job/${encodeURIComponent(job.id)}` }, job.name)),
                      h('td', {}, job.kind),
                      h('td', {}, job.city),
                      h('td', {}, h('span', { class: `job-state job-${job.state}` }, job.state)),
                      h('td', {}, progressBar(job)),
                      h('td', {}, formatTime(job.createdAt)),
                    ),
                  ),
                ),
              ),
            )
          : h('p', { class: 'quiet' }, 'No fleet jobs yet.'),
      );
    } catch (error) {
      replace(body, h('p', { class: 'error' }, `Could not load the jobs: ${error.message}`));
    }
  };
  load();
  const timer = setInterval(load, 5000);
  return () => clearInterval(timer);
}

/** One job: totals live over SSE (GET /jobs/:id/events), pause/resume/cancel, and its devices by state. */
export function jobView(root, id) {
  const head = h('div', { class: 'section-head' }, h('h2', {}, 'Fleet job'), h('a', { href: '#/jobs' }, 'all jobs'));
  const summary = h('div', { class: 'job-summary' }, 'Loading…');
  const actions = h('div', { class: 'job-actions' });
  const message = h('p', { class: 'error', role: 'alert' });
  const filter = h(
    'select',
    { name: 'state', onchange: () => loadDevices() },
    h('option', { value: '' }, 'every state'),
    DEVICE_STATES.map((s) => h('option', { value: s }, s)),
  );
  const devices = h('div', {});
  replace(root, head, summary, actions, message, h('h3', {}, 'Devices ', filter), devices);

  let current;
  let stopStream = () => undefined;
  const show = (job) => {
    current = job;
    replace(
      summary,
      h(
        'p',
        {},
        h('strong', {}, job.name),
        ' — ',
        job.kind,
        ' in ',
        job.city,
        ', ',
        h('span', { class: `job-state job-${job.state}`, 'data-state': job.state }, job.state),
        job.reason ? ` (${job.reason})` : '',
      ),
      progressBar(job),
      h(
        'ul',
        { class: 'state-counts' },
        DEVICE_STATES.filter((s) => job.counts[s] > 0).map((s) =>
          h('li', { 'data-count': s }, `${s} ${job.counts[s]}`),
        ),
      ),
      h(
        'p',
        { class: 'quiet' },
        `first ${job.rollout.initialCount}, then ${job.rollout.ratePerMinute}/min; abort ` +
          `above ${job.abortFailurePercent} % failed or timed out; deadline ${formatTime(job.deadline)}`,
      ),
    );
    replace(
      actions,
      job.state === 'running' ? h('button', { type: 'button', onclick: () => act('pause') }, 'Pause') : null,
      job.state === 'paused' ? h('button', { type: 'button', onclick: () => act('resume') }, 'Resume') : null,
      LIVE.includes(job.state) ? h('button', { type: 'button', onclick: () => act('cancel') }, 'Cancel') : null,
    );
    if (!LIVE.includes(job.state)) {
      stopStream();
      setLive(undefined);
    }
  };
  const act = async (action) => {
    message.textContent = '';
    if (action === 'cancel' && !confirm('Cancel this job? Devices not sent to yet are skipped.')) return;
    try {
      show(await api(`/jobs/${encodeURIComponent(id)}/${action}`, { method: 'POST' }));
    } catch (error) {
      message.textContent = error.message;
    }
  };
  const loadDevices = async () => {
    try {
      const { items, total } = await api(
        withQuery(`/jobs/${encodeURIComponent(id)}/devices`, { state: filter.value, limit: 200 }),
      );
      replace(
        devices,
        h(
          'p',
          { class: 'quiet' },
          `${total} device${total === 1 ? '' : 's'}${total > items.length ? `, the first ${items.length} shown` : ''}`,
        ),
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'job-devices' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['device', 'state', 'sent', 'finished', 'error'].map((c) => h('th', {}, c)),
              ),
            ),
            h(
              'tbody',
              {},
              items.map((d) =>
                h(
                  'tr',
                  { 'data-device-id': d.deviceId, 'data-state': d.state },
                  h('td', {}, deviceLink(d.deviceId)),
                  h('td', {}, d.state),
                  h('td', {}, formatTime(d.sentAt)),
                  h('td', {}, formatTime(d.finishedAt)),
                  h('td', {}, d.error ?? ''),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      replace(devices, h('p', { class: 'error' }, `Could not load the devices: ${error.message}`));
    }
  };

  (async () => {
    try {
      show(await api(`/jobs/${encodeURIComponent(id)}`));
      loadDevices();
      if (!LIVE.includes(current.state)) return;
      stopStream = openEventStream(`/jobs/${encodeURIComponent(id)}/events`, {
        onEvent: (event) => {
          if (event.event !== 'progress') return;
          const job = JSON.parse(event.data);
          const settledNow =
            current &&
            job.counts.succeeded + job.counts.failed + job.counts['timed-out'] !==
              current.counts.succeeded + current.counts.failed + current.counts['timed-out'];
          show(job);
          if (settledNow || !LIVE.includes(job.state)) loadDevices();
        },
        onStatus: (status) => setLive(status),
      });
    } catch (error) {
      replace(
        summary,
        h('p', { class: 'error' }, error.status === 404 ? `No job ${id}.` : `Could not load the job: ${error.message}`),
      );
    }
  })();
  return () => stopStream();
}

/** Outcomes so far against the total (a native <progress>: the console's CSP allows no inline styles). */
function progressBar(job) {
  const bad = job.counts.failed + job.counts['timed-out'];
  const done = job.counts.succeeded + bad;
  return h(
    'span',
    { class: 'job-progress' },
    h('progress', { max: Math.max(1, job.total), value: done }),
    ` ${done} / ${job.total}`,
    bad > 0 ? h('span', { class: 'bad' }, ` (${bad} failed or timed out)`) : '',
  );
}
