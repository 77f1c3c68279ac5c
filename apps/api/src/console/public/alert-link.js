import { api } from './api.js';
import { h, replace } from './dom.js';

/**
 * `#/alert/<id>`, the link notifications carry: the alert is shown on its device's page (with its
 * history), so this finds the device and goes there.
 */
export function alertLinkView(root, alertId) {
  replace(root, h('p', { class: 'quiet' }, 'Opening the alert…'));
  api(`/alerts/${encodeURIComponent(alertId)}`).then(
    (alert) => location.replace(`#/device/${encodeURIComponent(alert.deviceId)}`),
    (error) => replace(root, h('p', { class: 'error' }, `Alert ${alertId}: ${error.message}`)),
  );
  return () => undefined;
}
