import { Redis } from 'ioredis';
import { PrivateRedis, waitFor } from '@citypulse/testing';
import { checkDurability, HandoffNotReplicatedError, replicaWait } from './durability.js';
import { handoffKeys } from './keys.js';
import { HandoffProducer } from './producer.js';

const line = (i: number) => [
  `building,city=beijing,device_id=dev-${i},device_type=env-sensor,site=s1 ` +
    `temperature=${i} ${1_700_000_000_000 + i}000000`,
];

/**
 * The hand-off's durability levels on real servers: a private master with a private replica (the
 * `replica` level), and a private Redis with appendfsync always (the `always` level's start check).
 */
describe('hand-off durability levels', () => {
  let master: PrivateRedis;
  let replica: PrivateRedis;
  let always: PrivateRedis;
  const connections: Redis[] = [];
  const connect = (port: number) => {
    const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
    connections.push(redis);
    return redis;
  };

  beforeAll(async () => {
    master = await PrivateRedis.create();
    await master.start();
    replica = await PrivateRedis.create({ replicaOf: master.port });
    always = await PrivateRedis.create({ appendfsync: 'always' });
    await Promise.all([replica.start(), always.start()]);
    const replicaConnection = connect(replica.port);
    await waitFor(
      () => replicaConnection.info('replication'),
      (info) => /master_link_status:up/.test(info),
      { timeoutMs: 20_000, what: 'the replica in sync with its master' },
    );
  });
  afterAll(async () => {
    for (const c of connections) c.disconnect();
    for (const server of [replica, master, always]) await server?.destroy();
  });

  it('replica: an append resolves only once the replica has the entry', async () => {
    const prefix = 'dur-replica';
    // WAIT counts the writes of its own connection: the producer and the wait share one, as in the broker.
    const writer = connect(master.port);
    const producer = new HandoffProducer(writer, {
      prefix,
      partitions: 1,
      maxEntryReadings: 100,
      maxBacklogReadings: 1e6,
      confirmWrite: replicaWait(writer, { replicas: 1, timeoutMs: 10_000 }),
    });
    const onReplica = connect(replica.port);
    const stream = handoffKeys(prefix, 0).stream;
    await producer.append('dev-1', line(1));
    expect(await onReplica.xlen(stream)).toBe(1);

    // A frozen replica acknowledges nothing: the append must wait for it, not resolve on the master's word.
    replica.pause();
    let resolved = false;
    const appended = producer.append('dev-2', line(2)).then(() => (resolved = true));
    try {
      await new Promise((r) => setTimeout(r, 500));
      expect(resolved).toBe(false);
    } finally {
      replica.resume();
    }
    await appended;
    expect(await onReplica.xlen(stream)).toBe(2);
  });

  it('replica: with the replica gone, the append fails after the timeout with a clear error, and is counted', async () => {
    const timeouts: number[] = [];
    const writer = connect(master.port);
    const producer = new HandoffProducer(writer, {
      prefix: 'dur-gone',
      partitions: 1,
      maxEntryReadings: 100,
      maxBacklogReadings: 1e6,
      confirmWrite: replicaWait(writer, { replicas: 1, timeoutMs: 300, onTimeout: (n) => timeouts.push(n) }),
    });
    await replica.stop();
    const startedAt = Date.now();
    const failure = await producer.append('dev-3', line(3)).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure).toBeInstanceOf(HandoffNotReplicatedError);
    expect(failure?.message).toBe(
      'hand-off write not confirmed by 1 replica(s) within 300 ms (0 acknowledged): no PUBACK, the device ' +
        'will send it again',
    );
    // WAIT's timeout runs on the server, checked at its cron tick: never early.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(timeouts).toEqual([0]);
    await replica.start();
  });

  it('checks each server against the level at start: always needs appendfsync always, replica needs the replicas', async () => {
    const everysecServer = connect(master.port);
    const alwaysServer = connect(always.port);
    expect(await checkDurability([alwaysServer], 'always', 1)).toEqual({ problems: [], warnings: [] });
    const mismatch = await checkDurability([everysecServer], 'always', 1);
    expect(mismatch.problems).toEqual([
      `127.0.0.1:${master.port}: CP_HANDOFF_DURABILITY=always needs appendonly yes and appendfsync always, ` +
        `the server has appendonly yes, appendfsync everysec`,
    ]);
    expect(await checkDurability([everysecServer], 'everysec', 1)).toEqual({ problems: [], warnings: [] });

    await waitFor(
      () => everysecServer.info('replication'),
      (info) => /connected_slaves:1/.test(info),
      { timeoutMs: 20_000, what: 'the restarted replica attached' },
    );
    expect((await checkDurability([everysecServer], 'replica', 1)).problems).toEqual([]);
    expect((await checkDurability([everysecServer], 'replica', 2)).problems).toEqual([
      `127.0.0.1:${master.port}: CP_HANDOFF_DURABILITY=replica needs 2 connected replica(s) ` +
        `(CP_HANDOFF_WAIT_REPLICAS), the server has 1`,
    ]);
    expect((await checkDurability([alwaysServer], 'replica', 1)).problems).toHaveLength(1);
  });
});
