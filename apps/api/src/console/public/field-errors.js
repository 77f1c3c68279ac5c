import { h } from './dom.js';

/**
 * Shows an API 400's field errors (`{ fields: [{ field, problems }] }`) next to the form controls
 * they name. A control says which field it edits with `data-field` (the API's dotted path, e.g.
 * `rollout.ratePerMinute`); a field without its own control goes to the nearest parent that has
 * one (`desired.reporting_interval_s` → `desired`), else to the form's general message. Any other
 * error (no field list) is shown whole in the general message.
 */
export function showFieldErrors(form, error, general) {
  clearFieldErrors(form, general);
  const fields = Array.isArray(error?.body?.fields) ? error.body.fields : undefined;
  if (!fields) {
    general.textContent = error?.message ?? String(error);
    return;
  }
  const unplaced = [];
  for (const { field, problems } of fields) {
    const control = controlFor(form, field);
    const text = problems.join('; ');
    if (!control) {
      unplaced.push(`${field}: ${text}`);
      continue;
    }
    control.setAttribute('aria-invalid', 'true');
    control.after(h('span', { class: 'field-error error', 'data-error-for': field }, text));
  }
  general.textContent = unplaced.join(' | ');
  form.querySelector('[aria-invalid="true"]')?.focus();
}

/** Removes the messages showFieldErrors left. */
export function clearFieldErrors(form, general) {
  for (const message of form.querySelectorAll('.field-error')) message.remove();
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  if (general) general.textContent = '';
}

/** A client-side problem of one field, in the API's shape, so both show the same way. */
export function fieldProblem(field, problem) {
  return { message: `${field}: ${problem}`, body: { fields: [{ field, problems: [problem] }] } };
}

function controlFor(form, field) {
  for (let path = field; path; path = path.slice(0, Math.max(0, path.lastIndexOf('.')))) {
    const control = [...form.querySelectorAll('[data-field]')].find(
      (el) => el.dataset.field === path && !el.closest('[hidden]'),
    );
    if (control) return control;
  }
  return undefined;
}
