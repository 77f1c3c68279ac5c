import type { IncomingMessage } from 'node:http';

/** `Bearer <token>`: the scheme is case-insensitive (RFC 9110 §11.1), then one token and nothing else. */
const BEARER = /^bearer +(\S+)$/i;

/** The token of an `Authorization: Bearer <token>` header, if the request has one. */
export function bearerToken(request: IncomingMessage): string | undefined {
  return BEARER.exec(request.headers.authorization ?? '')?.[1];
}

/**
 * A cookie's value from the Cookie header (RFC 6265 §5.4: `name=value` pairs joined by `; `),
 * percent-decoded as express' `res.cookie` encoded it. No cookie parser runs on every route: only
 * the queue board reads one.
 */
export function cookieValue(request: IncomingMessage, name: string): string | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(pair.slice(at + 1).trim()) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
