import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { IS_PUBLIC } from './public.decorator.js';

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Bearer-token check on every route not marked @Public. The configured token is kept only as a
 * digest, and compared in constant time.
 */
@Injectable()
export class TokenGuard implements CanActivate {
  private readonly adminDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.adminDigest = digest(config.http.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const header = context.switchToHttp().getRequest<Request>().headers.authorization ?? '';
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('a bearer token is required (Authorization: Bearer <token>)');
    if (!timingSafeEqual(digest(token), this.adminDigest)) throw new UnauthorizedException('invalid token');
    return true;
  }
}
