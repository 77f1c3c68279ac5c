import { handoffKeys, partitionOf } from '@citypulse/handoff';
import { PrivateRedisCluster, testConfig, waitFor } from '@citypulse/testing';
import { ScaleOutRig } from './scale-out-rig.js';
import { expectAllStoredOnce, itBehavesAsOneDeployment, steadyLoad } from './scale-out-checks.js';

/**
 * The scale-out deployment (two brokers, two ingest and two alerts workers, the api) on a Redis
 * Cluster of three masters: every key group of citypulse on its own slot, spread over the shards,
 * the brokers' MQTT state on one Redis server (CP_MQTT_REDIS_URL, the stack's). The cluster is a
 * private one, so the last test can restart one of its masters without disturbing other tests.
 */
describe('the scale-out deployment on a Redis Cluster of three masters', () => {
  let redisCluster: PrivateRedisCluster;
  let rig: ScaleOutRig;

  beforeAll(async () => {
    redisCluster = await PrivateRedisCluster.create();
    await redisCluster.start();
    // Hand-off leases of 4 s: the restart test outlasts two of them without taking long.
    rig = await ScaleOutRig.start({
      CP_REDIS_CLUSTER_NODES: redisCluster.nodes,
      CP_MQTT_REDIS_URL: testConfig().redis.url,
      CP_HANDOFF_LEASE_MS: '4000',
    });
  }, 150_000);
  afterAll(async () => {
    await rig?.stop();
    await redisCluster?.destroy();
  });

  itBehavesAsOneDeployment(() => rig);

  // Last: the deployment is not the same after it. Without replicas the restarted master's slots are
  // unavailable while it is down; whatever the brokers could not hand off they do not acknowledge.
  it('loses no PUBACKed reading when a master is restarted under load, and reads its partitions again', async () => {
    const { devices, publishers } = await steadyLoad(rig, 2);
    // The master holding the first device's hand-off partition (stream, lease and pending entries).
    const watched = devices[0].id;
    const master = await redisCluster.nodeIndexOf(
      handoffKeys(rig.config.redis.prefix, partitionOf(watched, rig.config.handoff.partitions)).stream,
    );
    const ackedOf = (id: string) =>
      publishers.reduce((n, p) => n + [...p.acked].filter((k) => k.startsWith(`${id}@`)).length, 0);
    publishers.forEach((p) => p.start(50, 2));
    await waitFor(
      () => ackedOf(watched),
      (n) => n > 20,
      { what: `PUBACKs for ${watched} before the restart` },
    );
    await redisCluster.restartNode(master);
    // Publishing on for two lease periods: a lease that could not be renewed across the restart has
    // lapsed by then, and its partition must have been taken again for what follows to be stored.
    await new Promise((r) => setTimeout(r, 2 * rig.config.handoff.leaseMs));
    const lapsed = ackedOf(watched);
    await waitFor(
      () => ackedOf(watched),
      (n) => n > lapsed + 20,
      { timeoutMs: 30_000, what: `PUBACKs for ${watched} two leases after the restart` },
    );
    await Promise.all(publishers.map((p) => p.stop()));
    await expectAllStoredOnce(rig, publishers);
  }, 120_000);
});
