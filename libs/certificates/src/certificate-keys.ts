import { slotTag } from '@citypulse/redis';

/**
 * Every Redis key of the certificate store. All share one hash tag, `{<prefix>:certs}`, so the
 * store's Lua scripts and MULTI blocks touch a single slot of a Redis Cluster (the store is small:
 * one record per certificate, read at device login, so one slot is plenty).
 */
export class CertificateKeys {
  /** `{<prefix>:certs}`; the scripts build the keys below from it, so keep the two in step. */
  readonly base: string;

  constructor(prefix: string) {
    this.base = slotTag(prefix, 'certs');
  }

  /** JSON CertificateRecord by fingerprint. */
  cert(fingerprint: string): string {
    return `${this.base}:cert:${fingerprint}`;
  }
  /** Set: the fingerprints of a device's certificates. */
  device(deviceId: string): string {
    return `${this.base}:device:${deviceId}`;
  }
  /** Sorted set: fingerprints of a city's live certificates (not revoked), scored by notAfter (ms). */
  expiry(city: string): string {
    return `${this.base}:expiry:${city}`;
  }
  /** Set: cities that have (or had) certificates, for per-city counts. */
  get cities(): string {
    return `${this.base}:cities`;
  }
  /** Hash: serial → fingerprint of the certificates citypulse issued with this city's CA. */
  serials(city: string): string {
    return `${this.base}:serials:${city}`;
  }
  /** Sorted set: revoked serials of this city's devices' certificates, scored by when revocation takes effect (ms). */
  revoked(city: string): string {
    return `${this.base}:revoked:${city}`;
  }
  /** Hash: fingerprint → device id of registered (externally issued) certificates not revoked. */
  get owners(): string {
    return `${this.base}:owners`;
  }
}
