import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, keysMatching, testConfig, testRedis, waitFor } from '@citypulse/testing';
import type { AppConfig } from '@citypulse/config';
import { DeviceExistsError, DeviceRegistry } from './device-registry.js';
import { PresenceStore } from './presence-store.js';
import { verifySecret } from './secrets.js';
import type { DeviceControlEvent } from './device-control.js';
import type { PresenceEvent } from './presence.js';

const CHEAP = { N: 1024, r: 8, p: 1 };

/** The registry's Lua scripts and indexes against the real Redis, each run under its own prefix. */
describe.each(REDIS_FLAVOURS)('DeviceRegistry and PresenceStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let subscriber: RedisClient;
  let registry: DeviceRegistry;
  let presence: PresenceStore;
  const control: DeviceControlEvent[] = [];
  const presenceEvents: PresenceEvent[] = [];

  beforeAll(async () => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    subscriber = testRedis(config, 'test-sub');
    registry = new DeviceRegistry(redis, config.redis.prefix);
    presence = new PresenceStore(redis, config.redis.prefix);
    await subscriber.subscribe(registry.keys.controlChannel, registry.keys.presenceChannel);
    subscriber.on('message', (channel: string, message: string) => {
      (channel === registry.keys.controlChannel ? control : presenceEvents).push(JSON.parse(message));
    });
    const fleet = [
      ...['bj-a', 'bj-b', 'bj-c'].map((id) => ({ id, type: 'env-sensor', city: 'beijing', site: 'bj-tower' })),
      { id: 'bj-lift', type: 'lift', city: 'beijing', site: 'bj-mall' },
      ...['tj-a', 'tj-b'].map((id) => ({ id, type: 'env-sensor', city: 'tianjin', site: 'tj-port' })),
    ];
    await registry.provisionMany(fleet, CHEAP);
  });
  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await flushPrefix(config);
  });

  it('creates a bulk of devices with verifiable, cheaper secrets and indexes them', async () => {
    const issued = await registry.provisionMany(
      [{ id: 'sjz-a', type: 'lift', city: 'shijiazhuang', site: 'sjz-1' }],
      CHEAP,
    );
    expect(issued[0].device.secretHash.startsWith('scrypt$1024$')).toBe(true);
    expect(await verifySecret(issued[0].secret, (await registry.get('sjz-a'))!.secretHash)).toBe(true);
    expect((await registry.list({ city: 'shijiazhuang', offset: 0, limit: 10 })).items.map((d) => d.id)).toEqual([
      'sjz-a',
    ]);
  });

  it('creates nothing of a bulk call when one id already exists', async () => {
    const attempt = registry.provisionMany(
      [
        { id: 'new-1', type: 'lift', city: 'beijing', site: 'x' },
        { id: 'bj-a', type: 'lift', city: 'beijing', site: 'x' },
      ],
      CHEAP,
    );
    await expect(attempt).rejects.toEqual(expect.objectContaining({ deviceIds: ['bj-a'] }));
    await expect(attempt).rejects.toBeInstanceOf(DeviceExistsError);
    expect(await registry.get('new-1')).toBeNull();
    expect((await registry.list({ site: 'x', offset: 0, limit: 10 })).total).toBe(0);
  });

  it('pages in id order and combines city, site, type and tenancy filters', async () => {
    const first = await registry.list({ offset: 0, limit: 2 });
    const second = await registry.list({ offset: 2, limit: 2 });
    expect(first.total).toBeGreaterThanOrEqual(6);
    expect([...first.items, ...second.items].map((d) => d.id)).toEqual(['bj-a', 'bj-b', 'bj-c', 'bj-lift']);
    expect(
      (await registry.list({ city: 'beijing', type: 'env-sensor', offset: 0, limit: 10 })).items.map((d) => d.id),
    ).toEqual(['bj-a', 'bj-b', 'bj-c']);
    expect((await registry.list({ site: 'tj-port', withinCities: ['beijing'], offset: 0, limit: 10 })).total).toBe(0);
    const scoped = await registry.list({ withinCities: ['tianjin', 'shijiazhuang'], offset: 0, limit: 10 });
    expect(scoped.items.map((d) => d.id)).toEqual(['sjz-a', 'tj-a', 'tj-b']);
    expect(await keysMatching(redis, registry.keys.scratch('*'))).toEqual([]);
  });

  it('filters by presence and counts online and offline devices per city', async () => {
    await presence.markOnline({ id: 'bj-b', city: 'beijing' }, 'broker-1', 'broker-1:1');
    await presence.markOnline({ id: 'tj-a', city: 'tianjin' }, 'broker-1', 'broker-1:2');
    expect((await registry.list({ online: true, offset: 0, limit: 10 })).items.map((d) => d.id)).toEqual([
      'bj-b',
      'tj-a',
    ]);
    expect(
      (await registry.list({ city: 'beijing', online: false, offset: 0, limit: 10 })).items.map((d) => d.id),
    ).toEqual(['bj-a', 'bj-c', 'bj-lift']);
    expect(await presence.countsByCity(['beijing', 'tianjin'])).toEqual({
      beijing: { online: 1, offline: 3 },
      tianjin: { online: 1, offline: 1 },
    });
    await waitFor(
      () => presenceEvents.filter((e) => e.online).map((e) => e.deviceId),
      (ids) => ids.includes('tj-a'),
      { what: 'online events' },
    );
  });

  it('lets only the current connection mark a device offline, with its reason', async () => {
    await presence.markOnline({ id: 'bj-c', city: 'beijing' }, 'broker-1', 'broker-1:3');
    await presence.markOnline({ id: 'bj-c', city: 'beijing' }, 'broker-2', 'broker-2:1');
    expect(await presence.markOffline('bj-c', 'broker-1:3', 'connection_lost')).toBe(false);
    expect((await presence.get('bj-c')).online).toBe(true);
    expect(await presence.markOffline('bj-c', 'broker-2:1', 'keepalive_timeout', true)).toBe(true);
    expect(await presence.get('bj-c')).toMatchObject({
      online: false,
      offlineReason: 'keepalive_timeout',
      lastWill: true,
    });
    const offline = await waitFor(() => presenceEvents.find((e) => e.deviceId === 'bj-c' && !e.online), Boolean, {
      what: 'offline event',
    });
    expect(offline).toMatchObject({
      city: 'beijing',
      reason: 'keepalive_timeout',
      lastWill: true,
      brokerId: 'broker-2',
    });
  });

  it('marks offline the devices of a broker whose heartbeat lapsed, and only those', async () => {
    for (const broker of ['alive-broker', 'broker-1', 'broker-2']) await presence.heartbeat(broker, 60_000);
    await presence.heartbeat('dead-broker', 1);
    await presence.markOnline({ id: 'tj-b', city: 'tianjin' }, 'dead-broker', 'dead-broker:1');
    await presence.markOnline({ id: 'bj-lift', city: 'beijing' }, 'alive-broker', 'alive-broker:1');
    await new Promise((r) => setTimeout(r, 20));
    expect(await presence.sweepDeadBrokers()).toBe(1);
    expect(await presence.get('tj-b')).toMatchObject({ online: false, offlineReason: 'broker_lost' });
    expect((await presence.get('bj-lift')).online).toBe(true);
    expect(await presence.sweepDeadBrokers()).toBe(0);
  });

  it('moves index entries when a device changes city or site', async () => {
    const updated = await registry.update('bj-a', { city: 'tianjin', site: 'tj-port', name: 'Moved' });
    expect(updated).toMatchObject({ id: 'bj-a', city: 'tianjin', site: 'tj-port', name: 'Moved' });
    expect((await registry.list({ city: 'beijing', offset: 0, limit: 10 })).items.map((d) => d.id)).not.toContain(
      'bj-a',
    );
    expect((await registry.list({ site: 'tj-port', offset: 0, limit: 10 })).items.map((d) => d.id)).toEqual([
      'bj-a',
      'tj-a',
      'tj-b',
    ]);
    expect(await registry.update('nobody', { name: 'x' })).toBeNull();
    await waitFor(() => control.find((e) => e.kind === 'updated' && e.deviceId === 'bj-a'), Boolean, {
      what: 'updated event',
    });
  });

  it('rotates and revokes credentials with a version bump, announced to brokers', async () => {
    const rotated = (await registry.rotate('tj-a', CHEAP))!;
    expect(rotated.device.credentialVersion).toBe(2);
    expect(await verifySecret(rotated.secret, rotated.device.secretHash)).toBe(true);
    const revoked = (await registry.revoke('tj-a'))!;
    expect(revoked).toMatchObject({ revoked: true, credentialVersion: 3 });
    const again = (await registry.rotate('tj-a', CHEAP))!;
    expect(again.device).toMatchObject({ revoked: false, credentialVersion: 4 });
    const events = await waitFor(
      () => control.filter((e) => e.kind === 'credentials-changed' && e.deviceId === 'tj-a'),
      (e) => e.length === 3,
      { what: 'three events' },
    );
    expect(events.map((e) => (e.kind === 'credentials-changed' ? [e.credentialVersion, e.revoked] : null))).toEqual([
      [2, false],
      [3, true],
      [4, false],
    ]);
  });

  it('keeps each device’s reported firmware version indexed, so a page can be filtered by it', async () => {
    const byVersion = async (firmwareVersion: string, city?: string) =>
      (await registry.list({ firmwareVersion, ...(city && { city }), offset: 0, limit: 10 })).items.map((d) => d.id);
    expect(await registry.reportFirmware('bj-c', { version: '1.0.0' })).toBe(true);
    expect(await registry.reportFirmware('tj-b', { version: '1.0.0' })).toBe(true);
    expect(await byVersion('1.0.0')).toEqual(['bj-c', 'tj-b']);
    expect(await byVersion('1.0.0', 'tianjin')).toEqual(['tj-b']);

    const at = new Date('2026-01-01T00:00:00Z');
    await registry.reportFirmware(
      'bj-c',
      { version: '1.0.0', state: 'downloading', target: '1.1.0', percent: 40, commandId: 'c-1' },
      at,
    );
    expect(await registry.get('bj-c')).toMatchObject({
      firmwareVersion: '1.0.0',
      firmwareUpdate: { state: 'downloading', target: '1.1.0', percent: 40, commandId: 'c-1', at: at.toISOString() },
    });
    await registry.reportFirmware('bj-c', { version: '1.1.0', state: 'done', commandId: 'c-1' }, at);
    expect(await byVersion('1.0.0')).toEqual(['tj-b']);
    expect(await byVersion('1.1.0')).toEqual(['bj-c']);
    expect((await registry.get('bj-c'))?.firmwareUpdate).toEqual({
      state: 'done',
      commandId: 'c-1',
      at: at.toISOString(),
    });

    expect(await registry.reportFirmware('no-such-device', { version: '1.0.0' })).toBe(false);
    expect(await byVersion('1.0.0')).toEqual(['tj-b']);
  });

  it('removes a device with its indexes and presence, and announces it', async () => {
    expect(await registry.remove('bj-b')).toBe(true);
    expect(await registry.remove('bj-b')).toBe(false);
    expect(await registry.get('bj-b')).toBeNull();
    await registry.reportFirmware('bj-a', { version: '9.9.9' });
    expect(await registry.remove('bj-a')).toBe(true);
    expect((await registry.list({ firmwareVersion: '9.9.9', offset: 0, limit: 10 })).total).toBe(0);
    expect((await registry.list({ online: true, offset: 0, limit: 10 })).items.map((d) => d.id)).not.toContain('bj-b');
    expect(await presence.countsByCity(['beijing'])).toEqual({ beijing: { online: 1, offline: 1 } });
    await waitFor(() => control.find((e) => e.kind === 'deleted' && e.deviceId === 'bj-b'), Boolean, {
      what: 'deleted event',
    });
  });
});
