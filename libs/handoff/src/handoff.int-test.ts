import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { testConfig, flushPrefix, uniqueName, waitFor } from '@citypulse/testing';
import { HandoffProducer } from './producer.js';
import { HandoffConsumer, linesOf, type HandoffBatch } from './consumer.js';
import { PartitionLeases } from './leases.js';
import { handoffKeys } from './keys.js';
import { readHandoffBacklog, readHandoffDepth } from './depth.js';
import { partitionOf } from './partition.js';

const PARTITIONS = 4;
const line = (device: string, i: number) =>
  `building,city=beijing,device_id=${device},device_type=env-sensor,site=s1 ` +
  `temperature=${i} ${1_700_000_000_000 + i}000000`;
const device = (i: number) => `dev-${i % 7}`;

describe('durable hand-off through partitioned Redis streams', () => {
  const config = testConfig();
  const connections: Redis[] = [];
  const connection = () => {
    const r = new Redis(config.redis.url, { enableAutoPipelining: true });
    connections.push(r);
    return r;
  };
  // Each test its own prefix under the file's, so flushPrefix clears them all.
  const newPrefix = () => `${config.redis.prefix}:${uniqueName('')}`;

  /** A broker's producer on the test's partitions; entries of at most 100 readings, no back-pressure unless asked. */
  const writer = (
    prefix: string,
    extra: Partial<ConstructorParameters<typeof HandoffProducer>[1]> = {},
    redis: Redis = connection(),
  ) =>
    new HandoffProducer(redis, {
      prefix,
      partitions: PARTITIONS,
      maxEntryReadings: 100,
      maxBacklogReadings: 1e6,
      ...extra,
    });

  /** A consumer holding every partition through real leases, as a lone ingest process does. */
  async function reader(
    prefix: string,
    name = 'c1',
    extra: Partial<ConstructorParameters<typeof HandoffConsumer>[1]> = {},
    consumerRedis: Redis = connection(),
  ) {
    let leases: PartitionLeases | undefined;
    const consumer = new HandoffConsumer(consumerRedis, {
      prefix,
      partitions: PARTITIONS,
      consumerName: name,
      onLost: (p) => leases?.lost(p),
      ...extra,
    });
    await consumer.ensureGroups();
    leases = new PartitionLeases(
      connection(),
      { prefix, partitions: PARTITIONS, instanceId: name, leaseMs: 5000 },
      {
        acquired: (p, token) => consumer.assign(p, token),
        revoked: (p) => consumer.revoke(p),
        drained: () => consumer.drained(),
      },
    );
    await leases.tick();
    return { consumer, leases };
  }
  /** Reads until `count` lines came, or a read finds nothing after that. */
  async function readLines(
    consumer: HandoffConsumer,
    count: number,
    ack = true,
  ): Promise<{ lines: string[]; batches: HandoffBatch[] }> {
    const lines: string[] = [];
    const batches: HandoffBatch[] = [];
    await waitFor(
      async () => {
        const batch = await consumer.next();
        if (batch) {
          lines.push(...linesOf(batch));
          batches.push(batch);
          if (ack) await consumer.ack(batch);
          consumer.done(batch);
        }
        return lines.length;
      },
      (n) => n >= count,
      { intervalMs: 0, what: `${count} lines read` },
    );
    return { lines, batches };
  }

  afterAll(async () => {
    await flushPrefix(config);
    for (const r of connections) r.disconnect();
  });

  it('puts a device’s readings in its partition, delivers them in order and empties every backlog once acknowledged', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix);
    const { consumer, leases } = await reader(prefix);
    expect(leases.partitions).toEqual([0, 1, 2, 3]);
    // Many concurrent appends, as many publishes handled in one I/O turn would make.
    const sent = Array.from({ length: 1234 }, (_, i) => i);
    await Promise.all(sent.map((i) => producer.append(device(i), [line(device(i), i)])));
    expect(producer.lastKnownBacklog).toBe(1234);
    expect(await readHandoffBacklog(connection(), prefix, PARTITIONS)).toBe(1234);
    // Each device's lines sit in its own partition's stream.
    const redis = connection();
    for (let d = 0; d < 7; d++) {
      const entries = await redis.xrange(handoffKeys(prefix, partitionOf(`dev-${d}`, PARTITIONS)).stream, '-', '+');
      expect(entries.some(([, fields]) => fields[3].includes(`device_id=dev-${d},`))).toBe(true);
    }

    const { lines } = await readLines(consumer, 1234);
    expect([...lines].sort()).toEqual(sent.map((i) => line(device(i), i)).sort());
    // Each device's readings come out in publish order.
    for (let d = 0; d < 7; d++) {
      const own = lines.filter((l) => l.includes(`device_id=dev-${d},`));
      expect(own).toEqual(sent.filter((i) => i % 7 === d).map((i) => line(device(i), i)));
    }
    expect(await readHandoffDepth(connection(), prefix, PARTITIONS)).toEqual({
      entries: 0,
      pendingEntries: 0,
      readings: 0,
    });
    await leases.stop();
  });

  it('on a single Redis, writes a flush’s appends to every partition in one transaction', async () => {
    const prefix = newPrefix();
    const redis = connection();
    const producer = writer(prefix, { maxEntryReadings: 3 }, redis);
    const calls = jest.spyOn(redis, 'multi');
    // Appends made in one turn (one flush), to every partition, several entries each.
    await Promise.all(Array.from({ length: 70 }, (_, i) => producer.append(device(i), [line(device(i), i)])));
    expect(calls).toHaveBeenCalledTimes(1);
    expect(producer.lastKnownBacklog).toBe(70);
    for (let p = 0; p < PARTITIONS; p++) {
      const { stream, backlog } = handoffKeys(prefix, p);
      const entries = await redis.xrange(stream, '-', '+');
      const lines = entries.flatMap(([, fields]) => fields[3].split('\n'));
      const expected = Array.from({ length: 70 }, (_, i) => i).filter((i) => partitionOf(device(i), PARTITIONS) === p);
      expect(lines).toEqual(expected.map((i) => line(device(i), i)));
      expect(entries.map(([, fields]) => Number(fields[1]))).toEqual(
        Array.from({ length: Math.ceil(expected.length / 3) }, (_, e) => Math.min(3, expected.length - 3 * e)),
      );
      expect(Number(await redis.get(backlog))).toBe(expected.length);
    }
    calls.mockRestore();
  });

  it('carries each publish’s companion text beside its lines, and reads an entry without one (an older broker’s) as lines only', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix, { maxEntryReadings: 2 });
    const { consumer, leases } = await reader(prefix);
    // What a broker from before companions wrote: `n` and `lp` only, the backlog counted alongside.
    const keys = handoffKeys(prefix, partitionOf('dev-1', PARTITIONS));
    await connection().xadd(keys.stream, '*', 'n', '1', 'lp', line('dev-1', 1));
    await connection().incrby(keys.backlog, 1);
    // Three lines over an entry limit of two: the publish is split, with a companion text per part.
    await producer.append(
      'dev-1',
      [line('dev-1', 2), line('dev-1', 3), line('dev-1', 4)],
      (from, to) => `p[${from},${to})`,
    );

    const { lines, batches } = await readLines(consumer, 4);
    expect(lines).toEqual([1, 2, 3, 4].map((i) => line('dev-1', i)));
    // Each entry's text as written, lines joined by \n: passed on whole, never split at the reader.
    expect(batches.flatMap((b) => b.entries)).toEqual([
      { lp: line('dev-1', 1), lines: 1, companions: undefined },
      { lp: `${line('dev-1', 2)}\n${line('dev-1', 3)}`, lines: 2, companions: ['p[0,2)'] },
      { lp: line('dev-1', 4), lines: 1, companions: ['p[2,3)'] },
    ]);
    expect(await readHandoffBacklog(connection(), prefix, PARTITIONS)).toBe(0);
    await leases.stop();
  });

  it('counts the lines of an entry that states no count from its text', async () => {
    const prefix = newPrefix();
    const { consumer, leases } = await reader(prefix);
    const keys = handoffKeys(prefix, partitionOf('dev-1', PARTITIONS));
    await connection().xadd(keys.stream, '*', 'lp', `${line('dev-1', 1)}\n${line('dev-1', 2)}`);
    await connection().incrby(keys.backlog, 2);

    const { lines, batches } = await readLines(consumer, 2);
    expect(lines).toEqual([line('dev-1', 1), line('dev-1', 2)]);
    expect(batches.map((b) => b.lineCount)).toEqual([2]);
    expect(await readHandoffBacklog(connection(), prefix, PARTITIONS)).toBe(0);
    await leases.stop();
  });

  it('fences a reader that lost its lease: it can neither read that partition’s new entries nor acknowledge its old ones', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix, { maxEntryReadings: 10 });
    const lost: number[] = [];
    const { consumer, leases } = await reader(prefix, 'stale', { onLost: (p) => lost.push(p) });
    await producer.append('dev-1', [line('dev-1', 1), line('dev-1', 2)]);
    const { batches } = await readLines(consumer, 2, false);
    const partition = partitionOf('dev-1', PARTITIONS);

    // Another process holds the lease now (as after this one stalled past its TTL) and more arrives.
    await connection().set(handoffKeys(prefix, partition).lease, 'other#1', 'PX', 5000);
    await producer.append('dev-1', [line('dev-1', 3)]);
    expect(await consumer.next()).toBeNull();
    expect(lost).toEqual([partition]);
    expect(consumer.partitionsHeld).not.toContain(partition);
    expect(await consumer.ack(batches[0])).toBe(0);
    // Everything is left for the new owner: the old entry pending, the new one unread, the backlog whole.
    expect(await readHandoffDepth(connection(), prefix, PARTITIONS)).toEqual({
      entries: 2,
      pendingEntries: 1,
      readings: 3,
    });
    await leases.stop();
  });

  it('reads nothing of a partition taken over between its lease check and its read (the watch fails the read)', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix);
    const partition = partitionOf('dev-1', PARTITIONS);
    const lease = handoffKeys(prefix, partition).lease;
    const consumerRedis = connection();
    const { consumer, leases } = await reader(prefix, 'stale', {}, consumerRedis);
    // The first round takes over what earlier owners left (nothing); reads of new entries follow.
    expect(await consumer.next()).toBeNull();
    await producer.append('dev-1', [line('dev-1', 1)]);
    // The take-over lands just after this reader saw its leases were still its own.
    const mget = consumerRedis.mget.bind(consumerRedis) as (...keys: string[]) => Promise<Array<string | null>>;
    let tookOver = false;
    consumerRedis.mget = (async (...keys: string[]) => {
      const holders = await mget(...keys);
      if (!tookOver) {
        tookOver = true;
        await connection().set(lease, 'other#1', 'PX', 5000);
      }
      return holders;
    }) as typeof consumerRedis.mget;
    expect(await consumer.next()).toBeNull();
    expect(tookOver).toBe(true);
    // The entry is still unread (not pending under this reader): the new owner reads it in order.
    expect(await readHandoffDepth(connection(), prefix, PARTITIONS)).toEqual({
      entries: 1,
      pendingEntries: 0,
      readings: 1,
    });
    // The next round sees the lease gone.
    expect(await consumer.next()).toBeNull();
    expect(consumer.partitionsHeld).not.toContain(partition);
    await leases.stop();
  });

  it('lets a restarted process (same instance id) take its leases back at once and redo what it left pending first', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix, { maxEntryReadings: 10 });
    const first = await reader(prefix, 'ingest-1');
    await producer.append('dev-2', [line('dev-2', 1), line('dev-2', 2)]);
    await readLines(first.consumer, 2, false);
    // Killed: no release, its leases still live for seconds.
    await producer.append('dev-2', [line('dev-2', 3)]);

    const again = await reader(prefix, 'ingest-1');
    expect(again.leases.partitions).toEqual([0, 1, 2, 3]);
    const { lines } = await readLines(again.consumer, 3);
    expect(lines).toEqual([1, 2, 3].map((i) => line('dev-2', i)));
    expect(await readHandoffBacklog(connection(), prefix, PARTITIONS)).toBe(0);
    await again.leases.stop();
  });

  it('makes a partition’s stream and group again when Redis lost them (restarted without persistence)', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix, { maxEntryReadings: 10 });
    const { consumer, leases } = await reader(prefix);
    await connection().del(handoffKeys(prefix, partitionOf('dev-3', PARTITIONS)).stream);
    await expect(consumer.next()).rejects.toThrow(/NOGROUP/);
    await producer.append('dev-3', [line('dev-3', 1)]);
    const { lines } = await readLines(consumer, 1);
    expect(lines).toEqual([line('dev-3', 1)]);
    await leases.stop();
  });

  it('holds appends while the backlog of all partitions together is over its limit and releases them as ingest catches up', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix, { maxBacklogReadings: 1000, backlogPollMs: 20 });
    // 1000 readings over 7 devices: no single partition is near the limit, the sum is at it.
    await Promise.all(Array.from({ length: 1000 }, (_, i) => producer.append(device(i), [line(device(i), i)])));

    let released = false;
    const held = producer.append('dev-0', [line('dev-0', 5000)]).then(() => (released = true));
    await new Promise((r) => setTimeout(r, 150));
    expect(released).toBe(false);

    const { consumer, leases } = await reader(prefix);
    await readLines(consumer, 1001);
    await held;
    expect(released).toBe(true);
    await leases.stop();
  });

  it('lingers on a trickle with read rounds at most 20 ms apart, each one call for every partition', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix);
    // A read round is one XREADGROUP naming the streams it reads. Counted as the consumer sends
    // them: a MONITOR connection would see them too, but ioredis's monitor mode races its own
    // MONITOR reply and fails on lines arriving in the same chunk.
    const keys = Array.from({ length: PARTITIONS }, (_, p) => handoffKeys(prefix, p));
    const consumerRedis = connection();
    const reads: number[] = [];
    const send = consumerRedis.sendCommand.bind(consumerRedis);
    consumerRedis.sendCommand = (command, stream) => {
      const args = command.args.map(String);
      if (/^xreadgroup$/i.test(command.name)) reads.push(keys.filter((k) => args.includes(k.stream)).length);
      return send(command, stream);
    };
    const { consumer, leases } = await reader(prefix, 'c1', { targetLines: 1000, lingerMs: 1000 }, consumerRedis);
    expect(await consumer.next()).toBeNull();
    reads.length = 0;
    await producer.append(device(1), [line(device(1), 1)]);
    const startedAt = Date.now();
    const batch = await consumer.next();
    const lingeredMs = Date.now() - startedAt;
    expect(batch?.lineCount).toBe(1);
    expect(linesOf(batch!)).toEqual([line(device(1), 1)]);
    // Every round reads all partitions in one call; the pause doubles from 5 ms up to 20 ms: about
    // 50 rounds in a 1 s linger (polling every 5 ms made ~200, one call per partition 800; doubling
    // without the cap ~9 — so at least 12, even with timers late by 60 ms on a busy machine).
    expect(reads.every((partitions) => partitions === PARTITIONS)).toBe(true);
    expect(reads.length).toBeGreaterThanOrEqual(12);
    expect(reads.length).toBeLessThanOrEqual(Math.ceil(lingeredMs / 20) + 5);
    await consumer.ack(batch!);
    consumer.done(batch!);
    await leases.stop();
  });

  it('reads a backlog of large entries in rounds of about the batch target, not all it may take at once', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix);
    // Twenty entries of 100 lines in one partition: 2,000 lines, which entriesPerRead alone
    // (200 over 4 partitions: 50 entries each) would take in one round, one reply of all of them.
    for (let i = 0; i < 20; i++)
      await producer.append(
        device(1),
        Array.from({ length: 100 }, (_, k) => line(device(1), i * 100 + k)),
      );
    const { consumer, leases } = await reader(prefix, 'c1', { targetLines: 300, entriesPerRead: 200 });
    expect(await consumer.next()).toBeNull(); // the take-over round: nothing was pending
    const rounds: number[] = [];
    const batch = await consumer.next((round) => rounds.push(round.lineCount));
    // One entry to learn their size, then as many as the 300-line target needs (one, over 4 partitions).
    expect(rounds).toEqual([100, 100, 100]);
    expect(batch?.lineCount).toBe(300);
    expect(linesOf(batch!)).toHaveLength(300);
    await consumer.ack(batch!);
    consumer.done(batch!);
    const { lines } = await readLines(consumer, 1700);
    expect(lines).toHaveLength(1700);
    await leases.stop();
  });

  it('lingers to gather entries appended moments apart into one large batch', async () => {
    const prefix = newPrefix();
    const producer = writer(prefix);
    // The batch completes as soon as it holds 30 lines; the long linger only keeps a loaded
    // machine (29 appends that may take seconds) from ending it early.
    const { consumer, leases } = await reader(prefix, 'c1', { targetLines: 30, lingerMs: 15_000 });
    // The first round after taking the partitions over looks for pending entries only.
    expect(await consumer.next()).toBeNull();
    await producer.append(device(1), [line(device(1), 1)]);
    const gathering = consumer.next();
    for (let i = 2; i <= 30; i++) {
      await new Promise((r) => setTimeout(r, 2));
      await producer.append(device(i), [line(device(i), i)]);
    }
    const gathered = await gathering;
    expect(gathered?.lineCount).toBe(30);
    expect(linesOf(gathered!)).toHaveLength(30);
    expect(gathered!.segments.reduce((n, s) => n + s.ids.length, 0)).toBeGreaterThan(1);
    await consumer.ack(gathered!);
    consumer.done(gathered!);
    await leases.stop();
  });
});
