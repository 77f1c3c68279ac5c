import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { PrivateRedisCluster, waitFor } from '@citypulse/testing';
import { clusterOptions, openCluster } from './redis-client.js';
import { SlotMapWatch, slotMapFingerprint } from './slot-map-watch.js';

const run = promisify(execFile);

/**
 * The process-wide slot-map check on a real (private) Redis Cluster: connections that send nothing
 * learn of a resharding within the check interval, and an unchanged map costs one CLUSTER SLOTS.
 */
describe('SlotMapWatch on a Redis Cluster', () => {
  let redisCluster: PrivateRedisCluster;
  const opened: Cluster[] = [];

  beforeAll(async () => {
    redisCluster = await PrivateRedisCluster.create();
    await redisCluster.start();
  }, 60_000);
  afterAll(async () => {
    for (const c of opened) c.disconnect();
    await redisCluster?.destroy();
  });

  const nodes = () => redisCluster.ports.map((port) => ({ host: '127.0.0.1', port }));
  const open = async (name: string, intervalMs: number, role: 'probe' | 'follower') => {
    const cluster = openCluster(nodes(), clusterOptions(name), intervalMs, role);
    opened.push(cluster);
    await waitFor(
      () => cluster.status,
      (s) => s === 'ready',
      { what: `${name} ready` },
    );
    return cluster;
  };
  const masterOfSlot0 = (cluster: Cluster) => cluster.slots[0]?.[0];

  it('leaves ioredis’ own periodic re-read off and keeps an unchanged map without re-reading it', async () => {
    const probe = await open('unchanged-probe', 60_000, 'probe');
    expect(probe.options.slotsRefreshInterval).toBe(0);
    const watch = new SlotMapWatch(60_000);
    watch.add(probe, 'probe');
    // The first check has no map to compare with: every connection re-reads it once (it may have
    // moved since they connected); from then on an unchanged map costs one CLUSTER SLOTS.
    expect(await watch.check()).toBe('refreshed');
    expect(await watch.check()).toBe('unchanged');
    expect(await watch.check()).toBe('unchanged');
    watch.stop();
  });

  it('has every connection re-read the map on the first map it reads after a failed check', async () => {
    const follower = await open('after-failure-follower', 60_000, 'follower');
    const watch = new SlotMapWatch(60_000);
    watch.add(follower, 'follower');
    // No probe to ask: the check fails, and the map it could not read may move before the next one.
    expect(await watch.check()).toBe('refreshed');
    watch.add(await open('after-failure-probe', 60_000, 'probe'), 'probe');
    expect(await watch.check()).toBe('refreshed');
    expect(await watch.check()).toBe('unchanged');
    watch.stop();
  });

  it('makes every connection re-read the map when a slot moves to another master, though they send nothing', async () => {
    await open('reshard-probe', 200, 'probe');
    const idle = await open('reshard-follower', 200, 'follower');
    const before = masterOfSlot0(idle);
    expect(before).toBeDefined();

    // Move slot 0 (with the first slots of its master) to another master, as an operator resharding would.
    const cli = (...args: string[]) => run('redis-cli', args, { timeout: 30_000 });
    const ids = (await cli('-p', String(redisCluster.ports[0]), 'cluster', 'nodes')).stdout
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([id, address]) => ({ id, address: address.split('@')[0] }));
    const from = ids.find((n) => n.address === before)!;
    const to = ids.find((n) => n.address !== before)!;
    await cli(
      '--cluster',
      'reshard',
      `127.0.0.1:${redisCluster.ports[0]}`,
      '--cluster-from',
      from.id,
      '--cluster-to',
      to.id,
      '--cluster-slots',
      '1',
      '--cluster-yes',
    );

    await waitFor(
      () => masterOfSlot0(idle),
      (master) => master === to.address,
      { timeoutMs: 10_000, what: 'the idle connection routing slot 0 to its new master' },
    );
  }, 60_000);
});

describe('slotMapFingerprint', () => {
  it('names each range’s master, whatever order the nodes answered in', () => {
    const a = slotMapFingerprint([
      [0, 5460, ['127.0.0.1', 7001, 'id1']],
      [5461, 16383, ['127.0.0.1', 7002, 'id2']],
    ]);
    const b = slotMapFingerprint([
      [5461, 16383, ['127.0.0.1', 7002, 'id2']],
      [0, 5460, ['127.0.0.1', 7001, 'id1']],
    ]);
    expect(a).toBe(b);
    expect(slotMapFingerprint([[0, 16383, ['127.0.0.1', 7003, 'id3']]])).not.toBe(a);
  });
});
