import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '@citypulse/redis';
import type { DeviceControlEvent } from './device-control.js';
import { RegistryKeys } from './keys.js';

export type TokenRole = 'admin' | 'operator';

/** An API token as listed: never the token itself. */
export interface ApiToken {
  name: string;
  /** admin: reads and writes (provisioning, credentials); operator: reads and live streams only. */
  role: TokenRole;
  /** The cities (tenants) it is limited to; absent = every city. */
  cities?: string[];
  createdAt: string;
}

interface StoredToken extends ApiToken {
  /** SHA-256 of the token, hex. */
  digest: string;
}

export class TokenExistsError extends Error {
  constructor(readonly tokenName: string) {
    super(`a token named ${tokenName} already exists`);
  }
}

/** Token names appear in operator MQTT logins (`operator:<name>`): a slug without ':'. */
export const TOKEN_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * API tokens in Redis, stored as SHA-256 digests. Tokens are 256 random bits made here, so a fast
 * digest is as safe to store as a slow hash (there is nothing to guess), and it lets every HTTP
 * request be checked with one lookup instead of a tens-of-ms scrypt (GitHub stores its tokens the
 * same way).
 */
export class ApiTokenStore {
  private readonly keys: RegistryKeys;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new RegistryKeys(prefix);
  }

  /** Creates a token and returns it once. */
  async create(input: {
    name: string;
    role: TokenRole;
    cities?: string[];
  }): Promise<{ token: string; record: ApiToken }> {
    const token = `cpt_${randomBytes(32).toString('base64url')}`;
    const record: StoredToken = {
      name: input.name,
      role: input.role,
      ...(input.cities ? { cities: [...new Set(input.cities)].sort() } : {}),
      createdAt: new Date().toISOString(),
      digest: digestOf(token),
    };
    const created = await this.redis.hsetnx(this.keys.apiTokens, input.name, JSON.stringify(record));
    if (created === 0) throw new TokenExistsError(input.name);
    await this.redis.hset(this.keys.apiTokenDigests, record.digest, input.name);
    return { token, record: publicOf(record) };
  }

  async list(): Promise<ApiToken[]> {
    const all = await this.redis.hvals(this.keys.apiTokens);
    return all.map((json) => publicOf(JSON.parse(json) as StoredToken)).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The token presented on an HTTP request, or null. */
  async findByToken(token: string): Promise<ApiToken | null> {
    const digest = digestOf(token);
    const name = await this.redis.hget(this.keys.apiTokenDigests, digest);
    if (!name) return null;
    const stored = await this.stored(name);
    return stored && stored.digest === digest ? publicOf(stored) : null;
  }

  /** An operator MQTT login: the token of this name, if `token` is it. */
  async verify(name: string, token: string): Promise<ApiToken | null> {
    const stored = await this.stored(name);
    if (!stored) return null;
    const matches = timingSafeEqual(Buffer.from(stored.digest, 'hex'), Buffer.from(digestOf(token), 'hex'));
    return matches ? publicOf(stored) : null;
  }

  /** Deletes the token; every broker drops MQTT logins made with it. */
  async revoke(name: string): Promise<boolean> {
    const stored = await this.stored(name);
    if (!stored) return false;
    const event: DeviceControlEvent = { kind: 'token-revoked', name };
    await this.redis
      .multi()
      .hdel(this.keys.apiTokens, name)
      .hdel(this.keys.apiTokenDigests, stored.digest)
      .publish(this.keys.controlChannel, JSON.stringify(event))
      .exec();
    return true;
  }

  private async stored(name: string): Promise<StoredToken | null> {
    const json = await this.redis.hget(this.keys.apiTokens, name);
    return json ? (JSON.parse(json) as StoredToken) : null;
  }
}

function publicOf(stored: StoredToken): ApiToken {
  const { digest: _hidden, ...rest } = stored;
  return rest;
}
