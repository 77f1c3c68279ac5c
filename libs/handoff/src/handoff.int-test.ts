import { Redis } from 'ioredis';
import type { Reading } from '@citypulse/contracts';
import { testConfig, flushPrefix } from '@citypulse/testing';
import { HandoffProducer } from './producer.js';
import { HandoffConsumer } from './consumer.js';
import { handoffKeys } from './keys.js';

function reading(i: number): Reading {
  return {
    deviceId: `dev-${i % 7}`,
    deviceType: 'env-sensor',
    city: 'beijing',
    site: 's1',
    measurement: 'building',
    timeNs: `${1_700_000_000_000 + i}000000`,
    values: { temperature: i },
  };
}

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
    const sent = Array.from({ length: 1234 }, (_, i) => reading(i));
    // Many concurrent appends, as many publishes handled in one I/O turn would make.
    await Promise.all(Array.from({ length: 20 }, (_, k) => producer.append(sent.slice(k * 62, (k + 1) * 62))));
    expect(producer.lastKnownBacklog).toBe(1234);

    const received: Reading[] = [];
    for (;;) {
      const batch = await consumer.next();
      if (!batch) break;
      received.push(...batch.readings);
      await consumer.ack(batch);
    }
    expect(received.map((r) => r.timeNs)).toEqual(sent.map((r) => r.timeNs));
    const keys = handoffKeys(`${prefix}a`);
    expect(await redis.get(keys.backlog)).toBe('0');
    expect(await redis.xlen(keys.stream)).toBe(0);
  });

  it('lets another consumer take over entries a dead consumer never acknowledged', async () => {
    const p = `${prefix}b`;
    const producer = new HandoffProducer(redis, { prefix: p, maxEntryReadings: 10, maxBacklogReadings: 1e6 });
    const dying = new HandoffConsumer(connection(), { prefix: p, consumerName: 'dying', blockMs: 100 });
    await dying.ensureGroup();
    await producer.append([reading(1), reading(2), reading(3)]);
    const taken = await dying.next();
    expect(taken?.readings).toHaveLength(3);
    // `dying` never acknowledges: as if killed mid-write.

    const survivor = new HandoffConsumer(connection(), { prefix: p, consumerName: 'survivor', blockMs: 100, claimIdleMs: 200, claimIntervalMs: 0 });
    await new Promise((r) => setTimeout(r, 300));
    const claimed = await survivor.next();
    expect(claimed?.readings.map((r) => r.timeNs)).toEqual(taken?.readings.map((r) => r.timeNs));
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
    await producer.append(Array.from({ length: 1000 }, (_, i) => reading(i)));

    let released = false;
    const held = producer.append([reading(5000)]).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(released).toBe(false);

    const batch = await consumer.next();
    await consumer.ack(batch!);
    await held;
    expect(released).toBe(true);
  });
});
