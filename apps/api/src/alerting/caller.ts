import type { Request } from 'express';

/** Who is calling, as far as alerting cares: a name for the audit log, and the cities they may see. */
export interface Caller {
  /** The API token's identity ('admin' for the configured admin token). */
  name: string;
  admin: boolean;
  /** Undefined: every city. */
  cities?: readonly string[];
}

/**
 * The seam for city-scoped API tokens (tenancy). Every alerting endpoint asks this for the caller
 * and narrows what it reads and changes to `cities`; the queue and configuration endpoints need
 * `admin`. Today TokenGuard accepts only the admin token, which sees every city. When the guard
 * starts attaching a scoped token to the request (`request.apiToken: {name, role, cities?}`),
 * this is the one place that reads it.
 */
export function callerOf(request: Request): Caller {
  const token = (request as Request & { apiToken?: { name: string; role: string; cities?: string[] } }).apiToken;
  if (!token) return { name: 'admin', admin: true };
  return { name: token.name, admin: token.role === 'admin', ...(token.cities && { cities: token.cities }) };
}

/** Whether a caller may see (and act on) something in `city`. */
export function mayAccess(caller: Caller, city: string): boolean {
  return caller.cities === undefined || caller.cities.includes(city);
}
