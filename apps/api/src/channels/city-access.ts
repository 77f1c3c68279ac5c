import { ForbiddenException, NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import type { TenancyRequest } from '../auth/tenancy.decorator.js';
import type { Tenancy } from '../auth/tenancy.js';

function tenancyOf(req: Request): Tenancy {
  const tenancy = (req as TenancyRequest).tenancy;
  // Fail closed: these routes are behind TokenGuard, which always sets it.
  if (!tenancy) throw new Error('no tenancy on the request: is TokenGuard in front of this route?');
  return tenancy;
}

/**
 * A city's notification settings are its own: a token without the city gets the same 404 as for
 * something that does not exist (`notFound`), never a 403 that would confirm it exists.
 */
export function readerOfCity(req: Request, city: string, notFound: string): Tenancy {
  const tenancy = tenancyOf(req);
  if (!tenancy.allows(city)) throw new NotFoundException(notFound);
  return tenancy;
}

/** As `readerOfCity`, and changing them needs an admin token of the city (operators get 403 in their own city). */
export function adminOfCity(req: Request, city: string, notFound: string): Tenancy {
  const tenancy = readerOfCity(req, city, notFound);
  if (!tenancy.isAdmin)
    throw new ForbiddenException(
      `changing ${city}'s notification channels and escalation policies needs an admin token`,
    );
  return tenancy;
}
