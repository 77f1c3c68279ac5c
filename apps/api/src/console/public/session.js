/**
 * The operator's token: kept in sessionStorage (gone when the tab closes), sent as a bearer header
 * on every request, never put in a URL. Logging in also sets the HttpOnly cookie that the queue
 * dashboard under /queues accepts (the page itself cannot read it).
 */
const KEY = 'citypulse.token';

export function currentToken() {
  return sessionStorage.getItem(KEY);
}

/** Checks the token with the API (POST /console/session) and keeps it; throws with the API's message if refused. */
export async function logIn(token) {
  const response = await fetch('/console/session', { method: 'POST', headers: { authorization: `Bearer ${token}` }, credentials: 'same-origin' });
  if (response.status !== 204) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.message ?? `login refused (${response.status})`);
  }
  sessionStorage.setItem(KEY, token);
}

export async function logOut() {
  sessionStorage.removeItem(KEY);
  await fetch('/console/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => undefined);
}
