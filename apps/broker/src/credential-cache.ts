import { createHash } from 'node:crypto';
import { verifySecret, type DeviceRecord } from '@citypulse/registry';

/**
 * scrypt is deliberately slow (~tens of ms); a reconnect storm of thousands of devices must not
 * pay it each time. After one successful verification we remember a SHA-256 digest of the secret
 * (memory only) for that device and credential version. Rotating or revoking bumps the version in
 * the registry, which invalidates the entry on the next CONNECT; the control channel also makes
 * every broker `forget` the entry at once.
 */
export class CredentialCache {
  private readonly verified = new Map<string, { digest: string; version: number }>();

  constructor(private readonly maxEntries = 500_000) {}

  async verify(device: DeviceRecord, secret: string): Promise<boolean> {
    if (this.verifyCached(device, secret)) return true;
    if (!(await verifySecret(secret, device.secretHash))) return false;
    this.remember(device.id, { digest: digestOf(secret), version: device.credentialVersion });
    return true;
  }

  /** Only the cheap check: true if exactly this secret was verified for this credential version before. */
  verifyCached(device: DeviceRecord, secret: string): boolean {
    const cached = this.verified.get(device.id);
    return cached !== undefined && cached.version === device.credentialVersion && cached.digest === digestOf(secret);
  }

  forget(deviceId: string): void {
    this.verified.delete(deviceId);
  }

  private remember(id: string, entry: { digest: string; version: number }): void {
    this.verified.delete(id);
    if (this.verified.size >= this.maxEntries) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(id, entry);
  }
}

function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('base64');
}
