import { Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { ApiTokenStore } from '@citypulse/registry';
import { Tenancy } from './tenancy.js';

const digest = (token: string) => createHash('sha256').update(token).digest();

export interface VerifiedToken {
  tenancy: Tenancy;
  /** The configured admin token (CP_API_TOKEN), not one issued by POST /tokens (which may also be named "admin"). */
  configured: boolean;
}

/**
 * Who a token belongs to: the configured admin token (kept only as a digest, compared in constant
 * time) or an API token from POST /tokens (looked up by digest, so a revoked one fails at once).
 * The one check behind every way a token arrives: TokenGuard's bearer header and the queue board's
 * bearer header or console cookie.
 */
@Injectable()
export class TokenVerifier {
  private readonly configuredDigest: Buffer;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tokens: ApiTokenStore,
  ) {
    this.configuredDigest = digest(config.http.adminToken);
  }

  /** Null for an unknown or revoked token. */
  async verify(token: string): Promise<VerifiedToken | null> {
    if (timingSafeEqual(digest(token), this.configuredDigest)) return { tenancy: Tenancy.root(), configured: true };
    const found = await this.tokens.findByToken(token);
    return found ? { tenancy: new Tenancy(found.name, found.role, found.cities), configured: false } : null;
  }
}
