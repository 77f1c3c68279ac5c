import { api } from './api.js';
import { h, replace } from './dom.js';
import { formatBytes, formatTime } from './format.js';

/**
 * The firmware catalogue (GET /firmware) in the token's cities, newest first: read-only. Images are
 * uploaded (POST /firmware) and deleted through the API; a fleet job rolls one out (Jobs, New job).
 */
export function firmwareView(root) {
  const body = h('div', {}, 'Loading…');
  replace(root, h('div', { class: 'section-head' }, h('h2', {}, 'Firmware images')), body);
  (async () => {
    try {
      const { items } = await api('/firmware');
      replace(
        body,
        items.length
          ? firmwareTable(items)
          : h('p', { class: 'quiet' }, 'No firmware image yet (POST /firmware uploads one).'),
      );
    } catch (error) {
      replace(body, h('p', { class: 'error' }, `Could not load the firmware images: ${error.message}`));
    }
  })();
  return () => undefined;
}

function firmwareTable(items) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'firmware' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['device type', 'version', 'city', 'size', 'sha256', 'signed', 'uploaded'].map((c) => h('th', {}, c)),
        ),
      ),
      h(
        'tbody',
        {},
        items.map((image) =>
          h(
            'tr',
            { 'data-image-id': image.id },
            h('td', {}, image.deviceType),
            h('td', { class: 'mono' }, image.version),
            h('td', {}, image.city),
            h('td', { 'data-size': image.size }, formatBytes(image.size)),
            h('td', { class: 'mono', title: image.sha256 }, `${image.sha256.slice(0, 12)}…`),
            h('td', {}, image.signed ? 'yes' : 'no'),
            h('td', { title: image.uploadedBy }, formatTime(image.uploadedAt)),
          ),
        ),
      ),
    ),
  );
}

/** How an image is named in a choice: "env-sensor 1.1.0 beijing, 32.0 KiB". */
export function imageLabel(image) {
  return `${image.deviceType} ${image.version} ${image.city}, ${formatBytes(image.size)}`;
}
