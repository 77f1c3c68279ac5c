import { ApiError, api } from './api.js';
import { h, replace } from './dom.js';
import { clearFieldErrors, showFieldErrors } from './field-errors.js';

const CHAT_KINDS = ['slack', 'teams', 'mattermost', 'webhook'];
const SEVERITIES = ['critical', 'warning', 'info'];

/**
 * A city's notification channels and escalation policies (city admins): the channels as the API
 * shows them (secrets masked), adding a chat or MQTT channel, removing one, and each severity's
 * policy edited as JSON (PUT /cities/:city/escalation-policies/:severity). E-mail channels are
 * added through the API (README), since their SMTP settings do not fit a one-line form.
 */
export function channelsView(root) {
  const cityInput = h('input', {
    name: 'city',
    type: 'text',
    required: true,
    pattern: '[a-z0-9][a-z0-9\\-]{0,39}',
    placeholder: 'city, e.g. beijing',
    value: sessionStorage.getItem('citypulse_channels_city') ?? '',
  });
  const body = h('div', {});
  replace(
    root,
    h('div', { class: 'section-head' }, h('h2', {}, 'Channels and escalation')),
    h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          load();
        },
      },
      h('label', {}, 'City ', cityInput),
      h('button', { type: 'submit' }, 'Show'),
    ),
    body,
  );
  if (cityInput.value) load();

  async function load() {
    const city = cityInput.value.trim();
    sessionStorage.setItem('citypulse_channels_city', city);
    try {
      const [channels, policies] = await Promise.all([
        api(`/cities/${encodeURIComponent(city)}/channels?limit=1000`),
        api(`/cities/${encodeURIComponent(city)}/escalation-policies`),
      ]);
      replace(
        body,
        channelTable(city, channels.items),
        addChannelForm(city),
        ...SEVERITIES.map((s) =>
          policyEditor(
            city,
            s,
            policies.items.find((p) => p.severity === s),
          ),
        ),
      );
    } catch (error) {
      replace(
        body,
        h(
          'p',
          { class: 'error' },
          error instanceof ApiError && error.status === 404
            ? `No city ${city} for this token.`
            : `Could not load: ${error.message}`,
        ),
      );
    }
  }

  function channelTable(city, channels) {
    return h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'channels' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['id', 'kind', 'target', 'enabled', ''].map((c) => h('th', {}, c)),
          ),
        ),
        h(
          'tbody',
          {},
          channels.length === 0
            ? h('tr', {}, h('td', { colspan: 5, class: 'quiet' }, 'No channels yet.'))
            : channels.map((c) =>
                h(
                  'tr',
                  { 'data-channel-id': c.id },
                  h('td', {}, c.id),
                  h('td', {}, c.kind),
                  h(
                    'td',
                    {},
                    c.kind === 'email'
                      ? `${c.email.to.join(', ')} via ${c.email.host}:${c.email.port}`
                      : (c.url ?? `alerts/${city}/{severity}`),
                  ),
                  h('td', {}, c.enabled ? 'yes' : 'no'),
                  h(
                    'td',
                    {},
                    h('button', { type: 'button', class: 'quiet', onclick: () => removeChannel(city, c.id) }, 'Remove'),
                  ),
                ),
              ),
        ),
      ),
    );
  }

  function addChannelForm(city) {
    const id = h('input', { name: 'id', 'data-field': 'id', required: true, placeholder: 'id, e.g. slack-ops' });
    const kind = h(
      'select',
      { name: 'kind', 'data-field': 'kind' },
      [...CHAT_KINDS, 'mqtt'].map((k) => h('option', { value: k }, k)),
    );
    const url = h('input', {
      name: 'url',
      'data-field': 'url',
      type: 'password',
      autocomplete: 'off',
      placeholder: 'incoming webhook URL (kept secret)',
    });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'add-channel', onsubmit: submit },
      h('h3', {}, 'Add a chat, webhook or MQTT channel'),
      id,
      kind,
      url,
      h('button', { type: 'submit' }, 'Add'),
      error,
    );
    return form;

    async function submit(event) {
      event.preventDefault();
      clearFieldErrors(form, error);
      try {
        await api(`/cities/${encodeURIComponent(city)}/channels`, {
          method: 'POST',
          body: { id: id.value.trim(), kind: kind.value, ...(kind.value !== 'mqtt' && { url: url.value.trim() }) },
        });
        load();
      } catch (e) {
        showFieldErrors(form, e, error);
      }
    }
  }

  async function removeChannel(city, id) {
    try {
      await api(`/cities/${encodeURIComponent(city)}/channels/${encodeURIComponent(id)}`, { method: 'DELETE' });
      load();
    } catch (e) {
      replace(body, h('p', { class: 'error' }, e.message), ...body.childNodes);
    }
  }

  function policyEditor(city, severity, policy) {
    const example = {
      levels: [
        { afterSeconds: 0, channels: [] },
        { afterSeconds: 900, channels: [] },
      ],
      repeatSeconds: 1800,
    };
    const editable = policy
      ? {
          levels: policy.levels,
          repeatSeconds: policy.repeatSeconds,
          maxRepeats: policy.maxRepeats,
          ...(policy.onCall && { onCall: policy.onCall }),
        }
      : example;
    const text = h('textarea', { rows: 8, spellcheck: 'false', 'aria-label': `${severity} escalation policy` });
    text.value = JSON.stringify(editable, null, 2);
    const status = h(
      'p',
      { class: 'quiet' },
      policy
        ? `set by ${policy.updatedBy} at ${policy.updatedAt}`
        : 'no policy: alerts of this severity are not escalated',
    );
    return h(
      'form',
      { class: 'policy', 'data-severity': severity, onsubmit: save },
      h('h3', {}, h('span', { class: `badge sev-${severity}` }, severity), ' escalation'),
      text,
      h('button', { type: 'submit' }, 'Save'),
      status,
    );

    async function save(event) {
      event.preventDefault();
      try {
        await api(`/cities/${encodeURIComponent(city)}/escalation-policies/${severity}`, {
          method: 'PUT',
          body: JSON.parse(text.value),
        });
        load();
      } catch (e) {
        status.textContent = e.message;
        status.className = 'error';
      }
    }
  }

  return () => undefined;
}
