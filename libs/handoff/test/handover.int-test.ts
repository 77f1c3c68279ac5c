import type { RedisClient } from '@citypulse/redis';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis, waitFor } from '@citypulse/testing';
import { HandoffProducer } from '../src/producer.js';
import { readHandoffDepth } from '../src/depth.js';
import { TestReader, type FeedLog } from './reader-kit.js';

const PARTITIONS = 8;
const LEASE_MS = 1500;
const DEVICES = Array.from({ length: 24 }, (_, i) => `dev-${i}`);
const line = (device: string, t: number) =>
  `energy,city=tianjin,device_id=${device},device_type=electricity-meter,site=tj-1 voltage=${t} ${t}000000`;

/**
 * Ingest processes joining, sharing and dying while readings flow, over a real single Redis and the
 * stack's real Redis Cluster (three masters: the partitions' keys spread over them).
 */
describe.each(REDIS_FLAVOURS)('partitioned hand-off with leases over $name', ({ env }) => {
  const config = testConfig(env());
  const { prefix } = config.redis;
  const connections: RedisClient[] = [];
  const connect = (): RedisClient => {
    const c = testRedis(config);
    c.on('error', () => undefined);
    connections.push(c);
    return c;
  };

  afterAll(async () => {
    await flushPrefix(config);
    for (const c of connections) c.disconnect();
  });

  it('reads every entry once, a device’s readings in order, across a join and a death with pending entries', async () => {
    const feed: FeedLog = [];
    const options = { prefix, partitions: PARTITIONS, leaseMs: LEASE_MS };
    const producer = new HandoffProducer(connect(), {
      prefix,
      partitions: PARTITIONS,
      maxEntryReadings: 5,
      maxBacklogReadings: 1e6,
    });
    const reader = (name: string) => new TestReader(name, [connect(), connect()], options, feed).start();

    const [a, b] = await Promise.all([reader('a'), reader('b')]);
    // Readings keep flowing, every device's timestamps rising, throughout.
    const published = new Map<string, number[]>(DEVICES.map((d) => [d, []]));
    let appended = 0;
    let publishing = true;
    const publisher = (async () => {
      for (let t = 1; publishing; t++) {
        await Promise.all(
          DEVICES.map(async (d) => {
            await producer.append(d, [line(d, t)]);
            published.get(d)!.push(t);
            appended++;
          }),
        );
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const holdings = (...readers: TestReader[]) => readers.map((r) => r.leases.partitions.length);
    await waitFor(
      () => holdings(a, b),
      ([x, y]) => x === 4 && y === 4,
      { what: 'a and b holding 4 partitions each' },
    );
    const c = await reader('c');
    // ceil(8 / 3) = 3: a and b give one or two up each, c takes what they free.
    await waitFor(
      () => holdings(a, b, c),
      (h) => h.every((n) => n <= 3) && h.reduce((x, y) => x + y) === PARTITIONS,
      { what: 'three readers sharing the 8 partitions' },
    );
    expect(c.leases.partitions.length).toBeGreaterThan(0);

    await b.die();
    expect(b.unacknowledged.length).toBeGreaterThan(0);
    // b's leases expire; a and c take its partitions, and its pending entries with them.
    await waitFor(
      () => holdings(a, c),
      ([x, y]) => x === 4 && y === 4,
      { timeoutMs: 15_000, what: 'a and c holding 4 partitions each after b died' },
    );
    await new Promise((r) => setTimeout(r, 300));
    publishing = false;
    await publisher;

    const depth = await waitFor(
      () => readHandoffDepth(connect(), prefix, PARTITIONS),
      (d) => d.entries === 0 && d.readings === 0,
      {
        timeoutMs: 15_000,
        what: 'every partition drained',
      },
    );
    expect(depth.pendingEntries).toBe(0);
    await Promise.all([a.stop(), c.stop()]);

    // Exactly once by acknowledgement: each reading taken off the backlog once, b's included.
    expect(a.acknowledged + b.acknowledged + c.acknowledged).toBe(appended);
    expect(b.unacknowledged.every((id) => a.readIds.has(id) || c.readIds.has(id))).toBe(true);
    // Per device: every reading fed, each seen for the first time in publish order; the only
    // readings fed twice are those of b's last batch (fed, never acknowledged, redone by its heir).
    const redone = new Set(b.unacknowledgedReadings.map((r) => `${r.device}@${r.t}`));
    for (const device of DEVICES) {
      const fed = feed.filter((f) => f.device === device).map((f) => f.t);
      expect(fed.filter((t, i) => fed.indexOf(t) === i)).toEqual(published.get(device));
      expect(fed.filter((t, i) => fed.indexOf(t) !== i).filter((t) => !redone.has(`${device}@${t}`))).toEqual([]);
    }
    expect(feed.some((f) => f.reader === 'c')).toBe(true);
  }, 60_000);
});
