import { h } from './dom.js';

/** Small pieces every view shares: links, the operator's name, the live indicator. */

const NAME_KEY = 'citypulse.operator';

export function deviceLink(deviceId) {
  return h('a', { href: `#/device/${encodeURIComponent(deviceId)}`, class: 'device-link' }, deviceId);
}

/** Who takes an action (kept in the alert's history and the audit log, with the token's name). */
export function operatorName() {
  return sessionStorage.getItem(NAME_KEY) || 'operator';
}

export function setOperatorName(name) {
  sessionStorage.setItem(NAME_KEY, name);
}

/** Shows whether the live stream is connected ('live', 'reconnecting') or hides the indicator. */
export function setLive(status) {
  const el = document.getElementById('live');
  if (!el) return;
  el.hidden = !status;
  el.textContent = status === 'live' ? '● live' : status === 'reconnecting' ? '○ reconnecting…' : '';
  el.dataset.status = status ?? '';
}
