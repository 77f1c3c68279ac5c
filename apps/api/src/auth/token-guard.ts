import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { REDIS } from '@citypulse/core';
import { ApiTokenStore } from '@citypulse/registry';
import { IS_PUBLIC } from './public.decorator.js';
import { Tenancy } from './tenancy.js';
import { REQUIRED_ROLE, type TenancyRequest } from './tenancy.decorator.js';

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Bearer-token check on every route not marked @Public: the configured admin token (kept only as
 * a digest, compared in constant time) or an API token from POST /tokens (looked up by digest).
 * Attaches the caller's Tenancy (and `apiToken`, the seam alerting reads) to the request, and
 * enforces @AdminOnly / @ClusterAdminOnly.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  private readonly adminDigest: Buffer;
  private readonly tokens: ApiTokenStore;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.adminDigest = digest(config.http.adminToken);
    this.tokens = new ApiTokenStore(redis, config.redis.prefix);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<TenancyRequest & { apiToken?: unknown }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    const root = timingSafeEqual(digest(token), this.adminDigest);
    const tenancy = root ? Tenancy.root() : await this.tenancyOf(token);
    if (!tenancy) throw new UnauthorizedException('invalid token');

    const required = this.reflector.getAllAndOverride<'admin' | 'cluster-admin' | undefined>(REQUIRED_ROLE, targets);
    if (required === 'admin' && !tenancy.isAdmin) throw new ForbiddenException('this needs an admin token; operator tokens are read-only');
    if (required === 'cluster-admin' && !tenancy.isClusterAdmin) throw new ForbiddenException('this needs an admin token for every city');

    request.tenancy = tenancy;
    if (!root) {
      request.apiToken = { name: tenancy.tokenName, role: tenancy.role, ...(tenancy.withinCities ? { cities: [...tenancy.withinCities] } : {}) };
    }
    return true;
  }

  private async tenancyOf(token: string): Promise<Tenancy | null> {
    const found = await this.tokens.findByToken(token);
    return found ? new Tenancy(found.name, found.role, found.cities) : null;
  }
}
