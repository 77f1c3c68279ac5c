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
  const response = await fetch('/console/session', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    credentials: 'same-origin',
  });
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

/** The token's name, role and cities (GET /console/session), asked once per token. */
let identity = { token: undefined, answer: undefined };

export function whoAmI() {
  const token = currentToken();
  if (identity.token !== token) {
    // Unanswered: treated as an operator (nothing offered that might be refused), and asked again next time.
    const answer = fetch('/console/session', { headers: { authorization: `Bearer ${token}` } })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .catch(() => {
        identity = { token: undefined, answer: undefined };
        return { role: 'operator', cities: [] };
      });
    identity = { token, answer };
  }
  return identity.answer;
}
