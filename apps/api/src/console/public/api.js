import { currentToken } from './session.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(
      typeof body?.message === 'string'
        ? body.message
        : Array.isArray(body?.message)
          ? body.message.join('; ')
          : `HTTP ${status}`,
    );
    this.status = status;
    this.body = body;
  }
}

/** Listeners for a refused token (401): the console goes back to its login. */
const unauthorized = new Set();
export const onUnauthorized = (fn) => unauthorized.add(fn);
export const reportUnauthorized = () => unauthorized.forEach((fn) => fn());

/** A JSON request to the API with the session's bearer token. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${currentToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const parsed = text ? safeJson(text) : undefined;
  if (response.status === 401) reportUnauthorized();
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** Builds `path?k=v&…`, leaving out empty values. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') query.set(k, String(v));
  const s = query.toString();
  return s ? `${path}?${s}` : path;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
