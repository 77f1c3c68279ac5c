import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import type { AppConfig } from '@citypulse/config';
import { FirmwareCatalogue, FirmwareVersionExistsError } from './firmware-catalogue.js';
import type { FirmwareImage } from './firmware-image.js';

const image = (city: string, version: string, at: string, deviceType = 'env-sensor'): FirmwareImage => ({
  id: randomUUID(),
  deviceType,
  version,
  city,
  size: 10,
  sha256: 'a'.repeat(64),
  signed: false,
  uploadedAt: at,
  uploadedBy: 'test',
});

/** The catalogue's scripts and indexes on one Redis and on a Redis Cluster (one hash tag: no CROSSSLOT). */
describe.each(REDIS_FLAVOURS)('FirmwareCatalogue on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let catalogue: FirmwareCatalogue;

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    catalogue = new FirmwareCatalogue(redis, config.redis.prefix);
  });
  afterAll(async () => {
    redis.disconnect();
    await flushPrefix(config);
  });

  it('lists images newest first within the caller’s cities, and refuses a second image of one version', async () => {
    const old = image('beijing', '1.0.0', '2026-01-01T00:00:00.000Z');
    const fresh = image('beijing', '1.1.0', '2026-02-01T00:00:00.000Z');
    const elsewhere = image('tianjin', '1.0.0', '2026-03-01T00:00:00.000Z');
    for (const i of [old, fresh, elsewhere]) await catalogue.add(i);
    await expect(catalogue.add({ ...image('beijing', '1.0.0', '2026-04-01T00:00:00.000Z') })).rejects.toBeInstanceOf(
      FirmwareVersionExistsError,
    );
    expect((await catalogue.list()).map((i) => i.id)).toEqual([elsewhere.id, fresh.id, old.id]);
    expect((await catalogue.list({ withinCities: ['beijing'] })).map((i) => i.id)).toEqual([fresh.id, old.id]);
    expect(await catalogue.list({ withinCities: ['beijing'], city: 'tianjin' })).toEqual([]);
    expect((await catalogue.list({ version: '1.0.0' })).map((i) => i.city)).toEqual(['tianjin', 'beijing']);
    expect(await catalogue.get(fresh.id)).toEqual(fresh);
  });

  it('refuses to remove an image while a holder uses it, until released or its time has passed', async () => {
    const held = image('beijing', '2.0.0', new Date().toISOString());
    await catalogue.add(held);
    const now = Date.now();
    expect(await catalogue.markInUse(held.id, 'job:j1')).toBe(true);
    expect(await catalogue.markInUse(held.id, 'command:c1', now + 60_000)).toBe(true);
    expect(await catalogue.isInUse(held.id)).toBe(true);
    expect((await catalogue.remove(held)).outcome).toBe('in-use');

    await catalogue.release(held.id, 'job:j1');
    expect(await catalogue.remove(held, now)).toEqual({ outcome: 'in-use', holders: ['command:c1'] });
    // The command's deadline passed: its hold lapses by itself.
    expect(await catalogue.isInUse(held.id, now + 60_001)).toBe(false);
    expect(await catalogue.remove(held, now + 60_001)).toEqual({ outcome: 'removed' });
    expect(await catalogue.get(held.id)).toBeNull();
    expect(await catalogue.remove(held)).toEqual({ outcome: 'not-found' });
    expect(await catalogue.markInUse(held.id, 'job:late')).toBe(false);
    // The version is free again.
    await catalogue.add(image('beijing', '2.0.0', new Date().toISOString()));
  });
});
