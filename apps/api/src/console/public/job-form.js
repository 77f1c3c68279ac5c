import { api } from './api.js';
import { h } from './dom.js';
import { clearFieldErrors, fieldProblem, showFieldErrors } from './field-errors.js';
import { imageLabel } from './firmware-view.js';

const KINDS = [
  { value: 'firmware', label: 'firmware update' },
  { value: 'command', label: 'command' },
  { value: 'config', label: 'desired config' },
];

/**
 * "New job" (admin tokens): a firmware update, command or desired config for a city's devices,
 * narrowed by site, type and current firmware version, rolled out as a first step (count or
 * percent) then devices per minute, aborting above a failure share. Posts POST /jobs as it is:
 * the API checks every field, and its 400 is shown next to each named field. On success the new
 * job's live page opens.
 *
 * `identity`: the token's cities (GET /console/session), offered as the city when it has one.
 */
export function newJobForm(identity) {
  const general = h('p', { class: 'error', role: 'alert' });
  const kind = h(
    'select',
    { name: 'kind', 'data-field': 'kind', onchange: () => showKind() },
    KINDS.map((k) => h('option', { value: k.value }, k.label)),
  );

  const image = h(
    'select',
    { name: 'imageId', 'data-field': 'firmware.imageId' },
    h('option', { value: '' }, 'Loading…'),
  );
  const commandName = h('input', {
    name: 'command',
    'data-field': 'command.name',
    placeholder: 'e.g. reboot',
    autocomplete: 'off',
  });
  const commandParams = h('textarea', {
    name: 'params',
    'data-field': 'command.params',
    rows: 3,
    spellcheck: 'false',
    placeholder: '{"delay_s": 5} (optional)',
  });
  const desired = h('textarea', {
    name: 'desired',
    'data-field': 'desired',
    rows: 3,
    spellcheck: 'false',
    placeholder: '{"reporting_interval_s": 60}',
  });
  const parts = {
    firmware: h(
      'fieldset',
      { 'data-kind': 'firmware' },
      h('legend', {}, 'Firmware image'),
      h('label', {}, 'Image ', image),
    ),
    command: h(
      'fieldset',
      { 'data-kind': 'command' },
      h('legend', {}, 'Command'),
      h('label', {}, 'Name ', commandName),
      h('label', {}, 'Params (JSON object) ', commandParams),
    ),
    config: h(
      'fieldset',
      { 'data-kind': 'config' },
      h('legend', {}, 'Desired config'),
      h('label', {}, 'Keys and values (JSON object) ', desired),
    ),
  };

  const cities = identity.cities ?? [];
  const city = h('input', {
    name: 'city',
    'data-field': 'selection.city',
    list: 'job-form-cities',
    placeholder: 'e.g. beijing',
    autocomplete: 'off',
    value: cities.length === 1 ? cities[0] : '',
  });
  const site = h('input', {
    name: 'site',
    'data-field': 'selection.site',
    placeholder: 'any site',
    autocomplete: 'off',
  });
  const type = h('select', { name: 'type', 'data-field': 'selection.type' }, h('option', { value: '' }, 'any type'));
  const firmwareVersion = h('input', {
    name: 'firmwareVersion',
    'data-field': 'selection.firmwareVersion',
    placeholder: 'any version',
    autocomplete: 'off',
  });

  const firstStep = h('input', {
    name: 'firstStep',
    type: 'number',
    min: 1,
    value: 1,
    'data-field': 'rollout.initialCount',
  });
  const firstStepUnit = h(
    'select',
    {
      name: 'firstStepUnit',
      'aria-label': 'first step unit',
      onchange: () =>
        firstStep.setAttribute(
          'data-field',
          firstStepUnit.value === 'percent' ? 'rollout.initialPercent' : 'rollout.initialCount',
        ),
    },
    h('option', { value: 'count' }, 'devices'),
    h('option', { value: 'percent' }, '% of the selection'),
  );
  const rate = h('input', {
    name: 'ratePerMinute',
    type: 'number',
    min: 1,
    value: 60,
    'data-field': 'rollout.ratePerMinute',
  });
  const abortAt = h('input', {
    name: 'abortFailurePercent',
    type: 'number',
    min: 0,
    max: 100,
    value: 10,
    'data-field': 'abortFailurePercent',
  });
  const name = h('input', {
    name: 'name',
    'data-field': 'name',
    maxlength: 200,
    placeholder: 'optional, e.g. meters to 2.1.0',
    autocomplete: 'off',
  });
  const submitButton = h('button', { type: 'submit' }, 'Start the job');

  // novalidate: every check is the API's, shown in one place and in its words.
  const form = h(
    'form',
    { class: 'new-job', novalidate: true, onsubmit: submit },
    h('label', {}, 'Kind ', kind),
    Object.values(parts),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Devices'),
      h('label', {}, 'City ', city),
      h(
        'datalist',
        { id: 'job-form-cities' },
        cities.map((c) => h('option', { value: c })),
      ),
      h('label', {}, 'Site ', site),
      h('label', {}, 'Type ', type),
      h('label', {}, 'Running firmware ', firmwareVersion),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Rollout'),
      h('label', {}, 'First step ', firstStep, firstStepUnit),
      h('label', {}, 'Then devices per minute ', rate),
      h('label', {}, 'Abort above % failed or timed out ', abortAt),
    ),
    h('label', {}, 'Name ', name),
    submitButton,
    general,
  );
  showKind();
  loadChoices();
  return h('details', { class: 'new-job' }, h('summary', {}, 'New job'), form);

  function showKind() {
    for (const [k, part] of Object.entries(parts)) part.hidden = k !== kind.value;
  }

  async function loadChoices() {
    try {
      const { items } = await api('/firmware');
      image.replaceChildren(
        ...(items.length
          ? [
              h('option', { value: '' }, 'choose an image'),
              ...items.map((i) => h('option', { value: i.id }, imageLabel(i))),
            ]
          : [h('option', { value: '' }, 'no image: upload one with POST /firmware')]),
      );
    } catch (error) {
      image.replaceChildren(h('option', { value: '' }, `could not load the images: ${error.message}`));
    }
    api('/device-types')
      .then(({ items }) => type.append(...items.map((t) => h('option', { value: t.name }, t.name))))
      .catch(() => undefined);
  }

  async function submit(event) {
    event.preventDefault();
    clearFieldErrors(form, general);
    const body = jobBody();
    if (body.problem) {
      showFieldErrors(form, body.problem, general);
      return;
    }
    submitButton.disabled = true;
    try {
      const job = await api('/jobs', { method: 'POST', body: body.job });
      location.hash = `#/job/${encodeURIComponent(job.id)}`;
    } catch (error) {
      showFieldErrors(form, error, general);
    } finally {
      submitButton.disabled = false;
    }
  }

  /** The POST /jobs body from the form, or the problem of a JSON field that does not parse. */
  function jobBody() {
    const payload = {};
    if (kind.value === 'firmware') payload.firmware = { imageId: image.value };
    if (kind.value === 'command') {
      const params = jsonObject(commandParams, 'command.params', { optional: true });
      if (params.problem) return params;
      payload.command = { name: commandName.value.trim(), ...(params.value && { params: params.value }) };
    }
    if (kind.value === 'config') {
      const values = jsonObject(desired, 'desired');
      if (values.problem) return values;
      payload.desired = values.value;
    }
    const selection = {
      city: city.value.trim(),
      ...optional('site', site.value),
      ...optional('type', type.value),
      ...optional('firmwareVersion', firmwareVersion.value),
    };
    const rollout = {
      [firstStepUnit.value === 'percent' ? 'initialPercent' : 'initialCount']: numberOf(firstStep),
      ratePerMinute: numberOf(rate),
    };
    return {
      job: {
        kind: kind.value,
        ...payload,
        selection,
        rollout,
        abortFailurePercent: numberOf(abortAt),
        ...optional('name', name.value),
      },
    };
  }
}

/** `{ key: value }` when the trimmed value is not empty, else nothing (the API's default applies). */
function optional(key, value) {
  const trimmed = value.trim();
  return trimmed ? { [key]: trimmed } : {};
}

/** A number input's value; empty → undefined, so the API names the missing field. */
function numberOf(input) {
  return input.value === '' ? undefined : Number(input.value);
}

function jsonObject(textarea, field, { optional: canBeEmpty = false } = {}) {
  const text = textarea.value.trim();
  if (!text && canBeEmpty) return { value: undefined };
  try {
    const value = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return { value };
  } catch {
    // Reported below, as for any value that is not an object.
  }
  return { problem: fieldProblem(field, 'must be a JSON object, e.g. {"key": 1}') };
}
