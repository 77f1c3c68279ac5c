import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Tenancy } from './tenancy.js';

/** Where TokenGuard leaves the caller's tenancy on the request. */
export interface TenancyRequest extends Request {
  tenancy?: Tenancy;
}

/** The caller's Tenancy (set by TokenGuard on every authenticated request). */
export const CurrentTenancy = createParamDecorator((_data: unknown, context: ExecutionContext): Tenancy => {
  const tenancy = context.switchToHttp().getRequest<TenancyRequest>().tenancy;
  // Only a @Public route has none, and such a route must not ask for it.
  if (!tenancy) throw new Error('CurrentTenancy used on a route without a token');
  return tenancy;
});

export const REQUIRED_ROLE = 'citypulse:required-role';
/** The route changes something: operator tokens (read-only) get 403. */
export const AdminOnly = () => SetMetadata(REQUIRED_ROLE, 'admin');
/** The route affects every city (API tokens): only an admin token of every city may use it. */
export const ClusterAdminOnly = () => SetMetadata(REQUIRED_ROLE, 'cluster-admin');
