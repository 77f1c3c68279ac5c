import {
  ForbiddenException,
  Injectable,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from './public.decorator.js';
import { bearerToken } from './request-token.js';
import { TokenVerifier } from './token-verifier.js';
import { REQUIRED_ROLE, type TenancyRequest } from './tenancy.decorator.js';

/**
 * Bearer-token check on every route not marked @Public (the token itself is checked by
 * TokenVerifier). Attaches the caller's Tenancy (and `apiToken`, the seam alerting reads) to the
 * request, and enforces @AdminOnly / @ClusterAdminOnly.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<TenancyRequest & { apiToken?: unknown }>();
    const token = bearerToken(request);
    if (!token) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    const verified = await this.verifier.verify(token);
    if (!verified) throw new UnauthorizedException('invalid token');
    const { tenancy } = verified;

    const required = this.reflector.getAllAndOverride<'admin' | 'cluster-admin' | undefined>(REQUIRED_ROLE, targets);
    if (required === 'admin' && !tenancy.isAdmin)
      throw new ForbiddenException('this needs an admin token; operator tokens are read-only');
    if (required === 'cluster-admin' && !tenancy.isClusterAdmin)
      throw new ForbiddenException('this needs an admin token for every city');

    request.tenancy = tenancy;
    if (!verified.configured) {
      request.apiToken = {
        name: tenancy.tokenName,
        role: tenancy.role,
        ...(tenancy.withinCities ? { cities: [...tenancy.withinCities] } : {}),
      };
    }
    return true;
  }
}
