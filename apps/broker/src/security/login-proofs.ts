import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '@citypulse/redis';
import type { DeviceRecord } from '@citypulse/registry';

/**
 * Proofs of verified device logins, shared by every broker through Redis, so a reconnect storm
 * after a broker restart, or of a dead broker's devices onto the others, costs a keyed digest per
 * CONNECT instead of scrypt (~3 ms of CPU at the bulk N=1024, ~50 ms at N=16384).
 *
 * After scrypt accepts a secret, the broker stores under `<prefix>:login-proof:<device id>`
 * (one key per device: single-key commands, any Redis Cluster slot) the value
 *
 *     HMAC-SHA256(key = the device's stored scrypt hash, message = id ␊ credential version ␊ secret)
 *
 * truncated to 128 bits, with a TTL that every use renews (GETEX). A later CONNECT presenting
 * the same secret recomputes it from the registry record it has just read and admits on a match.
 *
 * Why this is safe:
 * - Device secrets are 192 random bits chosen by the server (`generateSecret`; nobody can set a
 *   secret of their own). scrypt's slowness only protects secrets an attacker can enumerate
 *   (passwords); against 2^192 candidates a fast HMAC is just as unguessable. So a leaked Redis
 *   — proofs and scrypt hashes together — does not yield a secret, and a proof is useless to
 *   log in with: CONNECT takes the secret, never the proof.
 * - A proof is bound to the credential version and to the scrypt hash itself (its random salt),
 *   both read afresh from the registry on every CONNECT. Rotate issues a new hash and bumps the
 *   version; revoke bumps the version (and the revoked flag is checked before any secret): every
 *   proof of the old credentials stops matching the moment the registry's script commits, on
 *   every broker, with no proof to delete. A CONNECT that read the record just before a change
 *   is refused by CredentialChanges as before.
 * - Keys and values name no city and carry nothing a tenant could read.
 */
export class LoginProofs {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** Lifetime of an unused proof; each match renews it. */
    private readonly ttlS: number,
  ) {}

  key(deviceId: string): string {
    return `${this.prefix}:login-proof:${deviceId}`;
  }

  /** True if some broker verified exactly this secret for the device's current credentials. */
  async matches(device: DeviceRecord, secret: string): Promise<boolean> {
    const stored = await this.redis.getexBuffer(this.key(device.id), 'EX', this.ttlS);
    if (!stored) return false;
    const expected = proofOf(device, secret);
    return stored.length === expected.length && timingSafeEqual(stored, expected);
  }

  /** Records that scrypt accepted this secret for the device's current credentials. */
  async remember(device: DeviceRecord, secret: string): Promise<void> {
    await this.redis.set(this.key(device.id), proofOf(device, secret), 'EX', this.ttlS);
  }
}

/** 128 bits of HMAC-SHA256: ample against forgery, and 10 M devices' proofs stay small. */
export function proofOf(device: DeviceRecord, secret: string): Buffer {
  return createHmac('sha256', device.secretHash)
    .update(`${device.id}\n${device.credentialVersion}\n${secret}`)
    .digest()
    .subarray(0, 16);
}
