import type { Request } from 'express';
import type { TenancyRequest } from '../auth/tenancy.decorator.js';

/** Who is calling, as far as alerting cares: a name for the audit log, and the cities they may see. */
export interface Caller {
  /** The API token's name ('admin' for the configured admin token). */
  name: string;
  /** An admin token of every city: may change rules, webhooks and queue jobs, which affect all cities. */
  admin: boolean;
  /** Undefined: every city. */
  cities?: readonly string[];
}

/**
 * The caller's tenancy as TokenGuard attached it (auth/tenancy.ts). Every alerting endpoint narrows
 * what it reads and changes to `cities`; acknowledging, assigning, snoozing and resolving an alert
 * is operators' work, so operator tokens may do it within their cities.
 */
export function callerOf(request: Request): Caller {
  const tenancy = (request as TenancyRequest).tenancy;
  // Fail closed: every alerting route is behind TokenGuard, which always sets it.
  if (!tenancy) throw new Error('no tenancy on the request: is TokenGuard in front of this route?');
  return {
    name: tenancy.tokenName,
    admin: tenancy.isClusterAdmin,
    ...(tenancy.withinCities && { cities: tenancy.withinCities }),
  };
}

/** Whether a caller may see (and act on) something in `city`. */
export function mayAccess(caller: Caller, city: string): boolean {
  return caller.cities === undefined || caller.cities.includes(city);
}
