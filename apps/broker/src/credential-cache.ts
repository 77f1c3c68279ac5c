import { createHash } from 'node:crypto';
import { verifySecret, type DeviceRecord } from '@citypulse/registry';

/**
 * scrypt is deliberately slow (~tens of ms); a reconnect storm of thousands of devices must not
 * pay it each time. After one successful verification we remember a SHA-256 digest of the secret
 * (memory only) for that device and credential version. Rotating or revoking bumps the version in
 * the registry, which invalidates the entry on the next CONNECT.
 */
export class CredentialCache {
  private readonly verified = new Map<string, { digest: string; version: number }>();

  constructor(private readonly maxEntries = 500_000) {}

  async verify(device: DeviceRecord, secret: string): Promise<boolean> {
    const digest = createHash('sha256').update(secret).digest('base64');
    const cached = this.verified.get(device.id);
    if (cached && cached.version === device.credentialVersion && cached.digest === digest) return true;
    if (!(await verifySecret(secret, device.secretHash))) return false;
    this.remember(device.id, { digest, version: device.credentialVersion });
    return true;
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
