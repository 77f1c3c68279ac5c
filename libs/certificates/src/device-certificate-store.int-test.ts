import { randomBytes } from 'node:crypto';
import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import { RegistryKeys } from '@citypulse/registry';
import { REDIS_FLAVOURS, flushPrefix, keysMatching, testConfig, testRedis, waitFor } from '@citypulse/testing';
import { CertificateExistsError, type NewCertificate } from './certificate.js';
import { DeviceCertificateStore } from './device-certificate-store.js';

const DAY_MS = 86_400_000;
const fingerprint = () => randomBytes(32).toString('hex').toUpperCase();

function issued(
  deviceId: string,
  city: string,
  notAfter: Date,
  serial = randomBytes(16).toString('hex'),
): NewCertificate {
  return {
    deviceId,
    city,
    fingerprint: fingerprint(),
    serial,
    source: 'issued',
    subject: `CN=${deviceId}`,
    issuer: `CN=${city} devices`,
    notBefore: new Date(notAfter.getTime() - 90 * DAY_MS).toISOString(),
    notAfter: notAfter.toISOString(),
  };
}

/**
 * The certificate store's scripts and indexes against the real Redis (one server, and a cluster), under a prefix of its
 * own.
 */
describe.each(REDIS_FLAVOURS)('DeviceCertificateStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let subscriber: RedisClient;
  let store: DeviceCertificateStore;
  const events: unknown[] = [];
  const now = new Date('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    subscriber = testRedis(config, 'test-sub');
    store = new DeviceCertificateStore(redis, config.redis.prefix);
    await subscriber.subscribe(new RegistryKeys(config.redis.prefix).controlChannel);
    subscriber.on('message', (_channel: string, message: string) => events.push(JSON.parse(message)));
  });
  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await flushPrefix(config);
  });

  it('keeps every key under one hash tag, so its scripts run on a Redis Cluster', async () => {
    await store.add(issued('tag-1', 'beijing', new Date(now.getTime() + DAY_MS)), now);
    const keys = await keysMatching(redis, `*${config.redis.prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    expect(keys.every((k) => k.startsWith(`{${config.redis.prefix}:certs}:`))).toBe(true);
  });

  it('lists a device its certificates, the one expiring last first', async () => {
    const soon = issued('dev-a', 'beijing', new Date(now.getTime() + 5 * DAY_MS));
    const later = issued('dev-a', 'beijing', new Date(now.getTime() + 300 * DAY_MS));
    await store.addMany([soon, later], now);
    const listed = await store.listByDevice('dev-a', now);
    expect(listed.map((c) => c.fingerprint)).toEqual([later.fingerprint, soon.fingerprint]);
    expect(listed[0]).toMatchObject({
      source: 'issued',
      revoked: false,
      city: 'beijing',
      createdAt: now.toISOString(),
    });
  });

  it('stores nothing of a batch when one fingerprint or issued serial is already stored', async () => {
    const first = issued('dev-b', 'tianjin', new Date(now.getTime() + DAY_MS), '0AB1');
    await store.add(first, now);
    const fresh = issued('dev-c', 'tianjin', new Date(now.getTime() + DAY_MS));
    const sameSerial = issued('dev-d', 'tianjin', new Date(now.getTime() + DAY_MS), 'ab1');
    await expect(store.addMany([fresh, sameSerial], now)).rejects.toEqual(
      new CertificateExistsError([sameSerial.fingerprint]),
    );
    await expect(store.addMany([fresh, { ...first, deviceId: 'dev-e' }], now)).rejects.toBeInstanceOf(
      CertificateExistsError,
    );
    expect(await store.listByDevice('dev-c', now)).toEqual([]);
  });

  it('answers who owns a registered fingerprint, in any spelling, until it is revoked', async () => {
    const fp = fingerprint();
    await store.add({ deviceId: 'ext-1', city: 'beijing', fingerprint: fp, source: 'registered' }, now);
    expect(await store.fingerprintOwner(fp.match(/../g)!.join(':').toLowerCase())).toBe('ext-1');
    expect(await store.fingerprintOwner(fingerprint())).toBeNull();
    expect(await store.fingerprintOwner('not-a-fingerprint')).toBeNull();
    await store.revoke(fp, { now });
    expect(await store.fingerprintOwner(fp)).toBeNull();
  });

  it('revokes by serial too a registered certificate that has one (a configured CA may have issued it)', async () => {
    const cert = {
      ...issued('ext-2', 'tianjin', new Date(now.getTime() + 10 * DAY_MS)),
      source: 'registered' as const,
    };
    await store.add(cert, now);
    expect(await store.isRevoked('tianjin', cert.serial!, now.getTime())).toBe(false);
    await store.revoke(cert.fingerprint, { now });
    expect(await store.isRevoked('tianjin', cert.serial!, now.getTime())).toBe(true);
    expect(await store.fingerprintOwner(cert.fingerprint)).toBeNull();
  });

  it('revokes an issued serial in its city only, tells the brokers, and drops it from the expiry index', async () => {
    const cert = issued('dev-f', 'beijing', new Date(now.getTime() + 10 * DAY_MS), '00:7F:33');
    await store.add(cert, now);
    expect(await store.isRevoked('beijing', '7f33', now.getTime())).toBe(false);
    const revoked = await store.revoke(cert.fingerprint, { now });
    expect(revoked).toMatchObject({ revoked: true, revokedAt: now.toISOString() });
    expect(await store.isRevoked('beijing', '7F33', now.getTime())).toBe(true);
    expect(await store.isRevoked('tianjin', '7F33', now.getTime())).toBe(false);
    expect((await store.expiring({ withinMs: 30 * DAY_MS, limit: 100, now })).map((c) => c.fingerprint)).not.toContain(
      cert.fingerprint,
    );
    await waitFor(
      () => events,
      (e) => e.some((x) => (x as { fingerprint?: string }).fingerprint === cert.fingerprint),
      { what: 'the revocation event' },
    );
    expect(events).toContainEqual({
      kind: 'certificate-revoked',
      deviceId: 'dev-f',
      fingerprint: cert.fingerprint,
      serial: '7F33',
    });
  });

  it('lets a revocation take effect later (a rotation grace period), and never postpones one', async () => {
    const cert = issued('dev-g', 'beijing', new Date(now.getTime() + 100 * DAY_MS));
    await store.add(cert, now);
    const inAnHour = new Date(now.getTime() + 3_600_000);
    expect(await store.revoke(cert.fingerprint, { effectiveAt: inAnHour, now })).toMatchObject({
      revoked: false,
      revokedAt: inAnHour.toISOString(),
    });
    expect(await store.isRevoked('beijing', cert.serial!, now.getTime())).toBe(false);
    expect(await store.isRevoked('beijing', cert.serial!, inAnHour.getTime())).toBe(true);
    await store.revoke(cert.fingerprint, { effectiveAt: new Date(inAnHour.getTime() + DAY_MS), now });
    expect((await store.get(cert.fingerprint, now))?.revokedAt).toBe(inAnHour.toISOString());
  });

  it('lists and counts, per city, the live certificates expiring within a window, soonest first', async () => {
    const at = new Date('2031-06-01T00:00:00Z');
    const day = (n: number) => new Date(at.getTime() + n * DAY_MS);
    const [a, b, c, expired] = [
      issued('x-1', 'shijiazhuang', day(20)),
      issued('x-2', 'shijiazhuang', day(3)),
      issued('x-3', 'shijiazhuang', day(45)),
      issued('x-4', 'shijiazhuang', day(-1)),
    ];
    await store.addMany([a, b, c, expired], at);
    const within30 = await store.expiring({ withinMs: 30 * DAY_MS, cities: ['shijiazhuang'], limit: 10, now: at });
    expect(within30.map((x) => x.deviceId)).toEqual(['x-2', 'x-1']);
    expect(await store.expiring({ withinMs: 30 * DAY_MS, cities: ['tianjin'], limit: 10, now: at })).toEqual([]);
    expect((await store.countExpiring(30 * DAY_MS, at)).get('shijiazhuang')).toBe(2);
  });

  it('moves a device’s certificates, expiry entries and revocations with the device to its new city', async () => {
    const live = issued('mover', 'beijing', new Date(now.getTime() + 5 * DAY_MS));
    const revoked = issued('mover', 'beijing', new Date(now.getTime() + 6 * DAY_MS));
    await store.addMany([live, revoked], now);
    await store.revoke(revoked.fingerprint, { now });
    expect(await store.moveDevice('mover', 'tianjin')).toBe(2);
    expect(await store.isRevoked('tianjin', revoked.serial!, now.getTime())).toBe(true);
    expect(await store.isRevoked('beijing', revoked.serial!, now.getTime())).toBe(false);
    const inCity = async (city: string) =>
      (await store.expiring({ withinMs: 30 * DAY_MS, cities: [city], limit: 100, now })).map((c) => c.fingerprint);
    expect(await inCity('tianjin')).toContain(live.fingerprint);
    expect(await inCity('beijing')).not.toContain(live.fingerprint);
    expect((await store.listByDevice('mover', now)).map((c) => c.city)).toEqual(['tianjin', 'tianjin']);
    expect(await store.moveDevice('mover', 'tianjin')).toBe(0);
  });

  it("forgets a deleted device's certificates but keeps its issued serials revoked", async () => {
    const cert = issued('gone-1', 'tianjin', new Date(now.getTime() + 50 * DAY_MS));
    const ext = fingerprint();
    await store.addMany([cert, { deviceId: 'gone-1', city: 'tianjin', fingerprint: ext, source: 'registered' }], now);
    expect(await store.removeDevice('gone-1', now)).toBe(2);
    expect(await store.listByDevice('gone-1', now)).toEqual([]);
    expect(await store.fingerprintOwner(ext)).toBeNull();
    expect(await store.isRevoked('tianjin', cert.serial!, now.getTime())).toBe(true);
  });
});
