import { EventEmitter } from 'node:events';
import type { Aedes, Client } from 'aedes';
import { createLogger } from '@citypulse/observability';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis, waitFor } from '@citypulse/testing';
import { RouteIndexStore } from './route-index-store.js';
import { SubscriptionIndex } from './subscription-index.js';

/**
 * Two brokers' sides of the subscription index over a real Redis and a real Redis Cluster (where
 * a key of the index outside its slot would fail with CROSSSLOT). Each broker here is an index
 * with its own connections; aedes is only the source of the unsubscribe and disconnect events.
 */
describe.each(REDIS_FLAVOURS)('subscription index on $name', (flavour) => {
  const config = testConfig(flavour.env());
  const redis = testRedis(config);
  const started: SubscriptionIndex[] = [];
  const logger = createLogger('silent', 'test');

  async function broker(id: string): Promise<{ index: SubscriptionIndex; events: EventEmitter }> {
    const index = new SubscriptionIndex({
      store: new RouteIndexStore(redis, config.redis.prefix),
      subscriber: testRedis(config, `${id}-sub`),
      brokerId: id,
      periodMs: 200,
      logger,
    });
    const events = new EventEmitter();
    await index.start(events as unknown as Aedes);
    started.push(index);
    return { index, events };
  }
  /** What the index reads of a connection: whether its session is clean and whether it closed. */
  const operatorTool = (): Client => ({ clean: true, closed: false }) as unknown as Client;

  afterAll(async () => {
    await Promise.all(started.map((index) => index.stop().catch(() => undefined)));
    await flushPrefix(config);
    redis.disconnect();
  });

  it("makes one broker's subscription, for its city only, known to another; forgets it on unsubscribe, on disconnect and when that broker stops", async () => {
    const a = await broker('broker-a');
    const b = await broker('broker-b');
    const tool = operatorTool();
    await b.index.grant(tool, 'devices/+/telemetry', new Set(['beijing']));
    // Broker B itself knows at once; A on the change notice.
    expect(b.index.routes.matches('beijing', 'devices/m-1/telemetry')).toBe(true);
    await waitFor(() => a.index.routes.matches('beijing', 'devices/m-1/telemetry'), Boolean, {
      what: 'broker A to learn of the subscription',
    });
    expect(a.index.routes.matches('tianjin', 'devices/m-1/telemetry')).toBe(false);

    b.events.emit('unsubscribe', ['devices/+/telemetry'], tool);
    await waitFor(
      () => a.index.routes.matches('beijing', 'devices/m-1/telemetry'),
      (m) => !m,
      { what: 'broker A to forget it after UNSUBSCRIBE' },
    );

    const watcher = operatorTool();
    await b.index.grant(watcher, 'devices/m-7/telemetry', null);
    await waitFor(() => a.index.routes.matches('shanghai', 'devices/m-7/telemetry'), Boolean, {
      what: 'a filter of every city',
    });
    b.events.emit('clientDisconnect', watcher);
    await waitFor(
      () => a.index.routes.matches('shanghai', 'devices/m-7/telemetry'),
      (m) => !m,
      { what: 'broker A to forget it after the disconnect' },
    );

    await b.index.grant(operatorTool(), 'devices/+/telemetry', null);
    await waitFor(
      () => a.index.routes.size,
      (n) => n === 1,
      { what: 'the filter again' },
    );
    await b.index.stop();
    await waitFor(
      () => a.index.routes.size,
      (n) => n === 0,
      { what: 'broker A to forget a stopped broker' },
    );
  });

  it('forgets a broker that stops renewing its entry (killed) once the entry lapses', async () => {
    const live = await broker('broker-live');
    // What a broker leaves behind when killed: its last write, with a TTL nobody renews.
    await new RouteIndexStore(redis, config.redis.prefix).write('broker-killed', ['+/devices/+/telemetry'], 400);
    await waitFor(
      () => live.index.routes.brokers(),
      (ids) => ids.includes('broker-killed'),
      { what: 'the entry seen' },
    );
    await waitFor(
      () => live.index.routes.brokers(),
      (ids) => !ids.includes('broker-killed'),
      { what: 'the lapsed entry forgotten' },
    );
    expect(live.index.routes.matches('beijing', 'devices/x/telemetry')).toBe(false);
  });

  it('loads the filters of brokers that were there first, and refuses a persistent session', async () => {
    const early = await broker('broker-early');
    await early.index.grant(operatorTool(), 'devices/+/telemetry', new Set(['tianjin']));
    const late = await broker('broker-late');
    expect(late.index.routes.matches('tianjin', 'devices/x/telemetry')).toBe(true);
    await expect(
      late.index.grant({ clean: false, closed: false } as unknown as Client, 'devices/+/telemetry', null),
    ).rejects.toThrow(/persistent session/);
  });
});
