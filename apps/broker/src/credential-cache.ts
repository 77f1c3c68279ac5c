import { createHash } from 'node:crypto';
import { verifySecret, type DeviceRecord } from '@citypulse/registry';
import type { Logger, Metrics } from '@citypulse/observability';
import type { LoginProofs } from './security/login-proofs.js';

export interface CredentialCacheOptions {
  /** Proofs shared by every broker through Redis; without them only this broker's memory remembers. */
  proofs?: LoginProofs;
  metrics?: Metrics;
  logger?: Logger;
  maxEntries?: number;
}

/**
 * scrypt is deliberately slow (~tens of ms); a reconnect storm of thousands of devices must not
 * pay it each time. A secret is checked against, in order: this broker's memory (a SHA-256 digest
 * per device and credential version), the login proofs every broker shares in Redis (see
 * LoginProofs for why a fast proof is safe), and only then scrypt, after which both remember it.
 * Rotating or revoking bumps the version in the registry, which invalidates memory and proofs on
 * the next CONNECT; the control channel also makes every broker `forget` its memory entry at once.
 * If Redis cannot answer for the proof, the CONNECT falls back to scrypt (slower, never wrong).
 */
export class CredentialCache {
  private readonly verified = new Map<string, { digest: string; version: number }>();
  private readonly maxEntries: number;

  constructor(private readonly options: CredentialCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 500_000;
  }

  async verify(device: DeviceRecord, secret: string): Promise<boolean> {
    if (await this.verifyWithoutScrypt(device, secret)) return true;
    this.count('scrypt');
    if (!(await verifySecret(secret, device.secretHash))) return false;
    this.remember(device, secret);
    // Awaited, so that once the CONNACK is out every broker admits the device without scrypt.
    await this.options.proofs
      ?.remember(device, secret)
      .catch((err: Error) =>
        this.options.logger?.warn(
          { err, deviceId: device.id },
          'could not store the login proof; the next CONNECT elsewhere pays scrypt',
        ),
      );
    return true;
  }

  /**
   * Only the cheap checks: true if exactly this secret was verified for this credential version before, here or on any
   * broker.
   */
  async verifyWithoutScrypt(device: DeviceRecord, secret: string): Promise<boolean> {
    if (this.verifyCached(device, secret)) {
      this.count('memory');
      return true;
    }
    const proofs = this.options.proofs;
    if (!proofs) return false;
    const proven = await proofs.matches(device, secret).catch((err: Error) => {
      this.options.logger?.warn({ err, deviceId: device.id }, 'could not read the login proof; verifying with scrypt');
      return false;
    });
    if (!proven) return false;
    this.count('proof');
    this.remember(device, secret);
    return true;
  }

  /** Only this broker's memory. */
  verifyCached(device: DeviceRecord, secret: string): boolean {
    const cached = this.verified.get(device.id);
    return cached !== undefined && cached.version === device.credentialVersion && cached.digest === digestOf(secret);
  }

  forget(deviceId: string): void {
    this.verified.delete(deviceId);
  }

  private count(by: 'memory' | 'proof' | 'scrypt'): void {
    this.options.metrics?.deviceSecretChecks.inc({ by });
  }

  private remember(device: DeviceRecord, secret: string): void {
    const id = device.id;
    this.verified.delete(id);
    if (this.verified.size >= this.maxEntries) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(id, { digest: digestOf(secret), version: device.credentialVersion });
  }
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64');
}
