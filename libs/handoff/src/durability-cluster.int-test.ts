import type { Cluster } from 'ioredis';
import { Redis } from 'ioredis';
import { connectRedis, dataNodes } from '@citypulse/redis';
import { PrivateRedisCluster, testConfig, waitFor } from '@citypulse/testing';
import { checkDurability, HandoffNotReplicatedError, replicaWait } from './durability.js';
import { handoffKeys } from './keys.js';
import { partitionOf } from './partition.js';
import { HandoffProducer } from './producer.js';

const PARTITIONS = 16;
const line = (device: string) => [
  `building,city=beijing,device_id=${device},device_type=env-sensor,site=s1 temperature=1 1700000000000000000`,
];

/**
 * The `replica` level on a Redis Cluster with a replica per master (a private one: a replica is
 * frozen here). WAIT counts the writes of the connection it runs on, so it must reach the master
 * of the partition's slot: sent to another master it would return at once, with that master's
 * replicas counted, and the PUBACK would not wait for the replica that matters.
 */
describe('hand-off durability on a Redis Cluster with replicas', () => {
  let cluster: PrivateRedisCluster;
  let redis: Cluster;
  /** Master port → the port of its replica. */
  const replicaOf = new Map<number, number>();
  const plain: Redis[] = [];

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.create({ replicasPerMaster: 1 });
    await cluster.start();
    for (const port of cluster.ports) plain.push(new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 }));
    await waitFor(
      async () => {
        replicaOf.clear();
        for (const node of plain) {
          const info = await node.info('replication');
          const master = /^master_port:(\d+)/m.exec(info)?.[1];
          if (/^role:slave/m.test(info) && /^master_link_status:up/m.test(info) && master)
            replicaOf.set(Number(master), node.options.port!);
        }
        return replicaOf.size;
      },
      (linked) => linked === 3,
      { timeoutMs: 30_000, what: 'a replica in sync with each of the three masters' },
    );
    redis = connectRedis(testConfig({ CP_REDIS_CLUSTER_NODES: cluster.nodes }), 'handoff') as Cluster;
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    for (const node of plain) node.disconnect();
    await cluster?.destroy();
  });

  it('checks every master for its replicas at start, naming each that has too few', async () => {
    const masters = await dataNodes(redis);
    expect(masters.map((m) => m.options.port).sort()).toEqual([...replicaOf.keys()].sort());
    expect(await checkDurability(masters, 'replica', 1)).toEqual({ problems: [], warnings: [] });
    const tooFew = await checkDurability(masters, 'replica', 2);
    expect(tooFew.problems.sort()).toEqual(
      masters
        .map(
          (m) =>
            `127.0.0.1:${m.options.port}: CP_HANDOFF_DURABILITY=replica needs 2 connected replica(s) ` +
            `(CP_HANDOFF_WAIT_REPLICAS), the server has 1`,
        )
        .sort(),
    );
  });

  it('waits for the replica of the partition’s own master: one frozen replica holds back only its master’s partitions', async () => {
    const prefix = 'dur-cluster';
    const timeouts: number[] = [];
    const producer = new HandoffProducer(redis, {
      prefix,
      partitions: PARTITIONS,
      maxEntryReadings: 100,
      maxBacklogReadings: 1e6,
      // 3 s: the frozen replica's partitions wait this long once; a live replica answers in ms, but on a
      // busy machine (2 cores, suites in parallel) 300 ms was once too short for it (issue 18.8).
      confirmWrite: replicaWait(redis, { replicas: 1, timeoutMs: 3000, onTimeout: (n) => timeouts.push(n) }),
    });
    // A device for every partition, and the master holding each partition's stream.
    const deviceOf = new Map<number, string>();
    for (let i = 0; deviceOf.size < PARTITIONS; i++) deviceOf.set(partitionOf(`dev-${i}`, PARTITIONS), `dev-${i}`);
    const masterOf = new Map<number, number>();
    for (const partition of deviceOf.keys()) {
      const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', handoffKeys(prefix, partition).stream));
      masterOf.set(partition, Number(redis.slots[slot][0].split(':')[1]));
    }
    const appendAll = () =>
      Promise.allSettled(
        [...deviceOf].map(([partition, device]) => producer.append(device, line(device)).then(() => partition)),
      );

    expect((await appendAll()).every((r) => r.status === 'fulfilled')).toBe(true);

    const frozenMaster = masterOf.get(0)!;
    const held = [...masterOf].filter(([, master]) => master === frozenMaster).map(([p]) => p);
    expect(held.length).toBeLessThan(PARTITIONS); // the other masters hold partitions too
    cluster.pause(cluster.ports.indexOf(replicaOf.get(frozenMaster)!));
    let outcomes: Awaited<ReturnType<typeof appendAll>>;
    try {
      outcomes = await appendAll();
    } finally {
      cluster.resume(cluster.ports.indexOf(replicaOf.get(frozenMaster)!));
    }
    const refused = [...deviceOf.keys()].filter((_, i) => outcomes[i].status === 'rejected');
    expect(refused.sort((a, b) => a - b)).toEqual(held.sort((a, b) => a - b));
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(HandoffNotReplicatedError);
    expect(timeouts).toEqual(held.map(() => 0));

    // Back in sync, the refused partitions take appends again (the device's resend).
    expect((await appendAll()).every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
