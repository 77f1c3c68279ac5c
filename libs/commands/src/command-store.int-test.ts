import type { RedisClient } from '@citypulse/redis';
import { deviceDeliveryChannel, type DeviceDeliveryNotice } from '@citypulse/contracts';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis, waitFor } from '@citypulse/testing';
import type { AppConfig } from '@citypulse/config';
import { CommandStore } from './command-store.js';

/** The command store's Lua transitions against the real Redis, under a prefix of its own. */
describe.each(REDIS_FLAVOURS)('CommandStore on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let subscriber: RedisClient;
  let store: CommandStore;
  const notices: DeviceDeliveryNotice[] = [];

  beforeAll(async () => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    subscriber = testRedis(config, 'test-sub');
    store = new CommandStore(redis, config.redis.prefix, { keepPerDevice: 3, keepAfterDeadlineS: 60 });
    await subscriber.subscribe(deviceDeliveryChannel(config.redis.prefix));
    subscriber.on('message', (_channel: string, message: string) => notices.push(JSON.parse(message)));
  });
  afterAll(async () => {
    subscriber.disconnect();
    redis.disconnect();
    await flushPrefix(config);
  });

  it('stores a pending command with its deadline and tells the brokers about the device', async () => {
    const now = new Date('2030-01-01T00:00:00Z');
    const command = await store.create({ deviceId: 'dev-a', name: 'reboot', params: {}, timeoutS: 30 }, now);
    expect(await store.get('dev-a', command.id)).toEqual({
      ...command,
      status: 'pending',
      deadline: '2030-01-01T00:00:30.000Z',
    });
    await waitFor(
      () => notices,
      (n) => n.some((x) => x.deviceId === 'dev-a' && x.kind === 'commands'),
      { what: 'the delivery notice' },
    );
  });

  it('moves pending → delivered → succeeded, keeping the result and the times, and no longer offers it for delivery', async () => {
    const command = await store.create({
      deviceId: 'dev-b',
      name: 'set-interval',
      params: { interval_s: 5 },
      timeoutS: 30,
    });
    expect((await store.due('dev-b')).map((c) => c.id)).toEqual([command.id]);
    expect(await store.markDelivered('dev-b', command.id)).toEqual({ moved: true, from: 'pending' });
    expect(await store.due('dev-b')).toEqual([]);
    expect(await store.complete('dev-b', { id: command.id, status: 'succeeded', result: { applied: 5 } })).toEqual({
      moved: true,
      from: 'delivered',
    });
    const done = await store.get('dev-b', command.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      result: { applied: 5 },
      deliveredAt: expect.any(String),
      finishedAt: expect.any(String),
    });
  });

  it('refuses an ack for another device’s command as if the command did not exist', async () => {
    const command = await store.create({ deviceId: 'dev-c', name: 'reboot', params: {}, timeoutS: 30 });
    expect(await store.complete('dev-other', { id: command.id, status: 'succeeded' })).toEqual({ moved: false });
    expect((await store.get('dev-c', command.id))?.status).toBe('pending');
    expect(await store.get('dev-other', command.id)).toBeUndefined();
  });

  it('keeps a timed-out command timed out when a late ack arrives', async () => {
    const command = await store.create({ deviceId: 'dev-d', name: 'reboot', params: {}, timeoutS: 30 });
    expect(await store.timeOut('dev-d', command.id)).toEqual({ moved: true, from: 'pending' });
    expect(await store.complete('dev-d', { id: command.id, status: 'failed', error: 'late' })).toEqual({
      moved: false,
      status: 'timed-out',
    });
    expect(await store.get('dev-d', command.id)).toMatchObject({ status: 'timed-out', finishedAt: expect.any(String) });
    expect((await store.get('dev-d', command.id))?.deliveredAt).toBeUndefined();
  });

  it('does not offer a command whose deadline has passed', async () => {
    const past = new Date(Date.now() - 60_000);
    await store.create({ deviceId: 'dev-e', name: 'reboot', params: {}, timeoutS: 10 }, past);
    expect(await store.due('dev-e')).toEqual([]);
  });

  it('keeps only the newest commands of a device, newest first, filterable by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await store.create({ deviceId: 'dev-f', name: 'reboot', params: {}, timeoutS: 30 }, new Date(Date.now() + i)))
          .id,
      );
    expect((await store.list('dev-f', { limit: 10 })).map((c) => c.id)).toEqual(ids.slice(2).reverse());
    expect(await store.get('dev-f', ids[0])).toBeUndefined();
    expect((await store.due('dev-f')).map((c) => c.id)).toEqual(ids.slice(2));
    await store.markDelivered('dev-f', ids[3]);
    expect((await store.list('dev-f', { limit: 10, status: 'delivered' })).map((c) => c.id)).toEqual([ids[3]]);
  });

  it('stores a command of a given id once (a retried dispatch), and reads many statuses across devices', async () => {
    const first = await store.createOnce({
      id: '0b5a2c1e-0000-5000-8000-000000000001',
      deviceId: 'dev-h',
      name: 'reboot',
      params: {},
      timeoutS: 30,
    });
    expect(first.created).toBe(true);
    await store.markDelivered('dev-h', first.record.id);
    const again = await store.createOnce({
      id: first.record.id,
      deviceId: 'dev-h',
      name: 'reboot',
      params: {},
      timeoutS: 30,
    });
    expect(again.created).toBe(false);
    expect((await store.get('dev-h', first.record.id))?.status).toBe('delivered');
    expect(await store.list('dev-h', { limit: 10 })).toHaveLength(1);
    const other = await store.create({ deviceId: 'dev-i', name: 'reboot', params: {}, timeoutS: 30 });
    await store.complete('dev-i', { id: other.id, status: 'failed', error: 'flash busy' });
    expect(
      await store.statuses([
        { deviceId: 'dev-h', id: first.record.id },
        { deviceId: 'dev-i', id: other.id },
        { deviceId: 'dev-h', id: other.id },
      ]),
    ).toEqual([{ status: 'delivered' }, { status: 'failed', error: 'flash busy' }, undefined]);
  });

  it('forgets every command of a deleted device', async () => {
    const command = await store.create({ deviceId: 'dev-g', name: 'reboot', params: {}, timeoutS: 30 });
    await store.removeDevice('dev-g');
    expect(await store.get('dev-g', command.id)).toBeUndefined();
    expect(await store.list('dev-g', { limit: 10 })).toEqual([]);
    expect(await store.due('dev-g')).toEqual([]);
  });
});
