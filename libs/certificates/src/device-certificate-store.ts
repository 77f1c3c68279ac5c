import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import { RegistryKeys } from '@citypulse/registry';
import {
  CertificateExistsError,
  viewOf,
  type CertificateRecord,
  type CertificateView,
  type NewCertificate,
} from './certificate.js';
import { CertificateKeys } from './certificate-keys.js';
import {
  ADD_CERTIFICATES,
  MOVE_DEVICE_CERTIFICATES,
  REMOVE_DEVICE_CERTIFICATES,
  REVOKE_CERTIFICATE,
} from './certificate-scripts.js';
import { normalizeFingerprint, normalizeSerial } from './normal-form.js';

/**
 * Device certificates in Redis: what citypulse issued from devices' CSRs and what was issued
 * elsewhere and registered by fingerprint, per device, indexed by expiry per city, with the
 * revoked serials of each city's CA.
 *
 * The broker asks two questions at every certificate login, each one Redis round trip:
 * `isRevoked(city, serial)` for a certificate signed by a city's CA, and
 * `fingerprintOwner(fingerprint)` for an externally issued one. Serials and fingerprints may be
 * given in any usual spelling; they are compared in the normal form of normal-form.ts.
 *
 * `prefix` is the deployment's Redis prefix (CP_REDIS_PREFIX), the registry's too: revocations
 * are announced on the registry's device-control channel.
 */
export class DeviceCertificateStore {
  private readonly keys: CertificateKeys;
  private readonly controlChannel: string;
  private readonly addScript: ScriptRunner;
  private readonly revokeScript: ScriptRunner;
  private readonly removeDeviceScript: ScriptRunner;
  private readonly moveDeviceScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new CertificateKeys(prefix);
    this.controlChannel = new RegistryKeys(prefix).controlChannel;
    this.addScript = luaScript(redis, 'citypulse_certs_add', ADD_CERTIFICATES);
    this.revokeScript = luaScript(redis, 'citypulse_certs_revoke', REVOKE_CERTIFICATE);
    this.removeDeviceScript = luaScript(redis, 'citypulse_certs_remove_device', REMOVE_DEVICE_CERTIFICATES);
    this.moveDeviceScript = luaScript(redis, 'citypulse_certs_move_device', MOVE_DEVICE_CERTIFICATES);
  }

  /** Whether the certificate of `city`'s CA with this serial is revoked (now). Unknown serials are not. */
  async isRevoked(city: string, serial: string, now = Date.now()): Promise<boolean> {
    const normal = normalizeSerial(serial);
    if (!normal) return false;
    const effective = await this.redis.zscore(this.keys.revoked(city), normal);
    return effective !== null && Number(effective) <= now;
  }

  /** The device an externally issued certificate was registered for, or null (unknown or revoked). */
  async fingerprintOwner(fingerprint256: string): Promise<string | null> {
    const normal = normalizeFingerprint(fingerprint256);
    return normal ? this.redis.hget(this.keys.owners, normal) : null;
  }

  /** Stores one certificate; CertificateExistsError if its fingerprint (or issued serial) is stored already. */
  async add(certificate: NewCertificate, now = new Date()): Promise<CertificateView> {
    const [record] = await this.addMany([certificate], now);
    return record;
  }

  /** Stores every certificate or none (CertificateExistsError naming the fingerprints already stored). */
  async addMany(certificates: NewCertificate[], now = new Date()): Promise<CertificateView[]> {
    const records: CertificateRecord[] = certificates.map((c) => normalized(c, now));
    const repeated = records.map((r) => r.fingerprint).filter((fp, i, all) => all.indexOf(fp) !== i);
    if (repeated.length > 0) throw new CertificateExistsError(repeated);
    const expiries = records.map((r) => (r.notAfter ? Date.parse(r.notAfter) : 0));
    const taken = JSON.parse(
      String(await this.addScript([this.keys.cities], [this.keys.base, JSON.stringify(records), ...expiries])),
    ) as string[];
    if (taken.length > 0) throw new CertificateExistsError(taken);
    return records.map((r) => viewOf(r, now));
  }

  async get(fingerprint: string, now = new Date()): Promise<CertificateView | undefined> {
    const normal = normalizeFingerprint(fingerprint);
    const json = normal ? await this.redis.get(this.keys.cert(normal)) : null;
    return json ? viewOf(JSON.parse(json) as CertificateRecord, now) : undefined;
  }

  /** A device's certificates, the one expiring last first (those without a known expiry last). */
  async listByDevice(deviceId: string, now = new Date()): Promise<CertificateView[]> {
    const fingerprints = await this.redis.smembers(this.keys.device(deviceId));
    const records = await this.getMany(fingerprints, now);
    return records.sort(
      (a, b) => (b.notAfter ?? '').localeCompare(a.notAfter ?? '') || a.fingerprint.localeCompare(b.fingerprint),
    );
  }

  /** One of the device's certificates by serial or fingerprint (either spelling). */
  async findForDevice(
    deviceId: string,
    serialOrFingerprint: string,
    now = new Date(),
  ): Promise<CertificateView | undefined> {
    const fingerprint = normalizeFingerprint(serialOrFingerprint);
    const serial = normalizeSerial(serialOrFingerprint);
    const all = await this.listByDevice(deviceId, now);
    return (
      all.find((c) => c.fingerprint === fingerprint) ?? all.find((c) => serial !== undefined && c.serial === serial)
    );
  }

  /**
   * Revokes a certificate from `effectiveAt` (default now; never later than an earlier
   * revocation). In effect now → brokers are told at once (device-control `certificate-revoked`).
   * A registered certificate is revoked at once whatever `effectiveAt` says (its owner entry goes).
   */
  async revoke(
    fingerprint: string,
    options: { effectiveAt?: Date; now?: Date } = {},
  ): Promise<CertificateView | undefined> {
    const now = options.now ?? new Date();
    const effectiveAt = options.effectiveAt ?? now;
    const normal = normalizeFingerprint(fingerprint);
    if (!normal) return undefined;
    const json = await this.revokeScript(
      [this.keys.cities],
      [this.keys.base, normal, effectiveAt.getTime(), effectiveAt.toISOString(), now.getTime(), this.controlChannel],
    );
    return json ? viewOf(JSON.parse(json as string) as CertificateRecord, now) : undefined;
  }

  /** Forgets a deleted device's certificates; their serials stay revoked. Returns how many it had. */
  async removeDevice(deviceId: string, now = new Date()): Promise<number> {
    return Number(await this.removeDeviceScript([this.keys.cities], [this.keys.base, deviceId, now.getTime()]));
  }

  /**
   * The device moved to `city`: its certificates (expiry, revoked serials) are listed and checked there from now on.
   */
  async moveDevice(deviceId: string, city: string): Promise<number> {
    return Number(await this.moveDeviceScript([this.keys.cities], [this.keys.base, deviceId, city]));
  }

  /**
   * Live certificates whose notAfter falls within [now, now + withinMs], soonest first, in the
   * given cities (undefined: every city). At most `limit`.
   */
  async expiring(options: {
    withinMs: number;
    cities?: readonly string[];
    limit: number;
    now?: Date;
  }): Promise<CertificateView[]> {
    const now = options.now ?? new Date();
    const cities = options.cities ?? (await this.redis.smembers(this.keys.cities));
    const until = now.getTime() + options.withinMs;
    const perCity = await Promise.all(
      cities.map((city) =>
        this.redis.zrangebyscore(this.keys.expiry(city), now.getTime(), until, 'LIMIT', 0, options.limit),
      ),
    );
    const records = await this.getMany(perCity.flat(), now);
    return records
      .sort((a, b) => (a.notAfter ?? '').localeCompare(b.notAfter ?? '') || a.fingerprint.localeCompare(b.fingerprint))
      .slice(0, options.limit);
  }

  /** Per city that has certificates: how many live ones expire within [now, now + withinMs]. */
  async countExpiring(withinMs: number, now = new Date()): Promise<Map<string, number>> {
    const cities = (await this.redis.smembers(this.keys.cities)).sort();
    const until = now.getTime() + withinMs;
    const counts = await Promise.all(
      cities.map((city) => this.redis.zcount(this.keys.expiry(city), now.getTime(), until)),
    );
    return new Map(cities.map((city, i) => [city, counts[i]]));
  }

  private async getMany(fingerprints: string[], now: Date): Promise<CertificateView[]> {
    if (fingerprints.length === 0) return [];
    const jsons = await this.redis.mget(fingerprints.map((fp) => this.keys.cert(fp)));
    return jsons.filter((j): j is string => j !== null).map((j) => viewOf(JSON.parse(j) as CertificateRecord, now));
  }
}

function normalized(c: NewCertificate, now: Date): CertificateRecord {
  const fingerprint = normalizeFingerprint(c.fingerprint);
  if (!fingerprint) throw new Error(`not a SHA-256 fingerprint: ${c.fingerprint}`);
  const serial = c.serial === undefined ? undefined : normalizeSerial(c.serial);
  if (c.serial !== undefined && !serial) throw new Error(`not a certificate serial: ${c.serial}`);
  return { ...c, fingerprint, ...(serial ? { serial } : {}), createdAt: now.toISOString() };
}
