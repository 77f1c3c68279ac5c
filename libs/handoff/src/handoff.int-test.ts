import { Redis } from 'ioredis';
import { testConfig, flushPrefix } from '@citypulse/testing';
import { HandoffProducer } from './producer.js';
import { HandoffConsumer } from './consumer.js';
import { handoffKeys } from './keys.js';

/** One publish: a single reading's line (the broker fixes its identity). */
function reading(i: number): string[] {
  return [`building,city=beijing,device_id=dev-${i % 7},device_type=env-sensor,site=s1 temperature=${i} ${1_700_000_000_000 + i}000000`];
}
const items = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => reading(from + k));
/** Several readings in one publish, the way a device's batch publish arrives. */
const batch = (publishes: string[][]) => publishes.flat();

describe('durable hand-off through a Redis stream', () => {
  const config = testConfig();
  const prefix = config.redis.prefix;
  let redis: Redis;
  const extra: Redis[] = [];
  const connection = () => {
    const r = new Redis(config.redis.url);
    extra.push(r);
    return r;
  };

  beforeAll(() => {
    redis = new Redis(config.redis.url);
  });
  afterAll(async () => {
    await flushPrefix(config);
    for (const r of extra) r.disconnect();
    redis.disconnect();
  });

  it('delivers every appended reading in order and empties the backlog once acknowledged', async () => {
    const producer = new HandoffProducer(redis, { prefix: `${prefix}a`, maxEntryReadings: 100, maxBacklogReadings: 1e6 });
    const consumer = new HandoffConsumer(connection(), { prefix: `${prefix}a`, consumerName: 'c1', blockMs: 100 });
    await consumer.ensureGroup();
    const sent = items(0, 1234);
    // Many concurrent appends, as many publishes handled in one I/O turn would make.
    await Promise.all(sent.map((item) => producer.append(item)));
    expect(producer.lastKnownBacklog).toBe(1234);

    const lines: string[] = [];
    const perDevice = new Map<string, number[]>();
    for (;;) {
      const next = await consumer.next();
      if (!next) break;
      lines.push(...next.lines);
      for (const group of next.devices) perDevice.set(group.deviceId, [...(perDevice.get(group.deviceId) ?? []), ...group.readings.map(([t]) => t)]);
      await consumer.ack(next);
    }
    expect(lines).toEqual(sent.flat());
    // Each device's readings reach rule evaluation in publish order.
    expect(perDevice.get('dev-3')).toEqual(sent.map((_, i) => i).filter((i) => i % 7 === 3).map((i) => 1_700_000_000_000 + i));
    const keys = handoffKeys(`${prefix}a`);
    expect(await redis.get(keys.backlog)).toBe('0');
    expect(await redis.xlen(keys.stream)).toBe(0);
  });

  it('lets another consumer take over entries a dead consumer never acknowledged', async () => {
    const p = `${prefix}b`;
    const producer = new HandoffProducer(redis, { prefix: p, maxEntryReadings: 10, maxBacklogReadings: 1e6 });
    const dying = new HandoffConsumer(connection(), { prefix: p, consumerName: 'dying', blockMs: 100 });
    await dying.ensureGroup();
    await producer.append(batch([reading(1), reading(2), reading(3)]));
    const taken = await dying.next();
    expect(taken?.lines).toHaveLength(3);
    // `dying` never acknowledges: as if killed mid-write.

    const survivor = new HandoffConsumer(connection(), { prefix: p, consumerName: 'survivor', blockMs: 100, claimIdleMs: 200, claimIntervalMs: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const claimed = await survivor.next();
    expect(claimed?.lines).toEqual(taken?.lines);
    await survivor.ack(claimed!);
    // A late ack of the same entries by the slow consumer must not drive the backlog negative.
    await dying.ack(taken!);
    expect(await redis.get(handoffKeys(p).backlog)).toBe('0');
  });

  it('holds appends while the backlog is over its limit and releases them as ingest catches up', async () => {
    const p = `${prefix}c`;
    const producer = new HandoffProducer(redis, { prefix: p, maxEntryReadings: 100, maxBacklogReadings: 1000, backlogPollMs: 20 });
    const consumer = new HandoffConsumer(connection(), { prefix: p, consumerName: 'c', blockMs: 100 });
    await consumer.ensureGroup();
    await producer.append(batch(items(0, 1000)));

    let released = false;
    const held = producer.append(reading(5000)).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(released).toBe(false);

    const drained = await consumer.next();
    await consumer.ack(drained!);
    await held;
    expect(released).toBe(true);
  });

  it('lingers to gather entries appended moments apart into one large batch', async () => {
    const p = `${prefix}d`;
    const producer = new HandoffProducer(redis, { prefix: p, maxEntryReadings: 100, maxBacklogReadings: 1e6 });
    const consumer = new HandoffConsumer(connection(), { prefix: p, consumerName: 'c', blockMs: 100, targetLines: 30, lingerMs: 500 });
    await consumer.ensureGroup();
    await producer.append(reading(1));
    const gathering = consumer.next();
    for (let i = 2; i <= 30; i++) {
      await new Promise((r) => setTimeout(r, 2));
      await producer.append(reading(i));
    }
    const gathered = await gathering;
    expect(gathered?.lines).toHaveLength(30);
    expect(gathered?.ids.length).toBeGreaterThan(1);
  });
});
