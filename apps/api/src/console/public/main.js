import { onUnauthorized } from './api.js';
import { h, replace } from './dom.js';
import { currentToken, logIn, logOut } from './session.js';
import { operatorName, setLive, setOperatorName } from './shell.js';
import { alertsView } from './alerts-view.js';
import { fleetView } from './fleet-view.js';
import { deviceView } from './device-view.js';
import { queuesView } from './queues-view.js';
import { certificatesView } from './certificates-view.js';
import { maintenanceView } from './maintenance-view.js';
import { channelsView } from './channels-view.js';
import { alertLinkView } from './alert-link.js';
import { jobsView, jobView } from './jobs-view.js';
import { firmwareView } from './firmware-view.js';
import { clusterView } from './cluster-view.js';
import { sharedView } from './shared-view.js';

/**
 * The console's router: #/alerts, #/fleet, #/device/<id>, #/certificates, #/maintenance, #/queues, #/channels, #/jobs,
 * #/job/<id>, #/firmware, #/cluster, #/shared, #/alert/<id>; the login when there is no token.
 */
const view = document.getElementById('view');
const nav = document.getElementById('nav');
const logoutButton = document.getElementById('logout');
/** Stops the current view's streams and timers. */
let stopView = () => undefined;

function route() {
  stopView();
  setLive(undefined);
  const signedIn = Boolean(currentToken());
  nav.hidden = !signedIn;
  logoutButton.hidden = !signedIn;
  if (!signedIn) {
    stopView = showLogin();
    return;
  }
  const [, name = 'alerts', arg] = location.hash.match(/^#\/([a-z]+)(?:\/(.+))?$/) ?? [];
  for (const link of nav.querySelectorAll('a'))
    link.classList.toggle('current', link.dataset.view === (name === 'job' ? 'jobs' : name));
  view.dataset.view = name;
  if (name === 'fleet') stopView = fleetView(view);
  else if (name === 'device' && arg) stopView = deviceView(view, decodeURIComponent(arg));
  else if (name === 'queues') stopView = queuesView(view);
  else if (name === 'certificates') stopView = certificatesView(view);
  else if (name === 'maintenance') stopView = maintenanceView(view);
  else if (name === 'channels') stopView = channelsView(view);
  else if (name === 'jobs') stopView = jobsView(view);
  else if (name === 'job' && arg) stopView = jobView(view, decodeURIComponent(arg));
  else if (name === 'firmware') stopView = firmwareView(view);
  else if (name === 'cluster') stopView = clusterView(view);
  else if (name === 'shared') stopView = sharedView(view);
  else if (name === 'alert' && arg) stopView = alertLinkView(view, decodeURIComponent(arg));
  else stopView = alertsView(view);
}

function showLogin() {
  const token = h('input', {
    name: 'token',
    type: 'password',
    autocomplete: 'off',
    required: true,
    placeholder: 'cpt_…',
  });
  const name = h('input', { name: 'operator', type: 'text', maxlength: 64, value: operatorName() });
  const error = h('p', { class: 'error', role: 'alert' });
  view.dataset.view = 'login';
  replace(
    view,
    h(
      'form',
      { class: 'login', onsubmit: submit },
      h('h2', {}, 'Sign in'),
      h('p', { class: 'quiet' }, 'Paste an operator or admin API token. It stays in this tab only.'),
      h('label', {}, 'API token', token),
      h('label', {}, 'Your name (recorded with your actions)', name),
      h('button', { type: 'submit' }, 'Sign in'),
      error,
    ),
  );
  token.focus();

  async function submit(event) {
    event.preventDefault();
    try {
      await logIn(token.value.trim());
      setOperatorName(name.value.trim() || 'operator');
      route();
    } catch (e) {
      error.textContent = e.message;
    }
  }
  return () => undefined;
}

logoutButton.addEventListener('click', async () => {
  await logOut();
  location.hash = '#/alerts';
  route();
});
onUnauthorized(() => {
  logOut().then(route);
});
window.addEventListener('hashchange', route);
route();
