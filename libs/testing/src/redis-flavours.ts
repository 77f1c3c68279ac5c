import type { AppConfig } from '@citypulse/config';
import { connectRedis, type RedisClient } from '@citypulse/redis';
import { testConfig } from './test-config.js';

/** The local stack's Redis Cluster (scripts/stack.sh `redis-cluster`), or CP_TEST_REDIS_CLUSTER_NODES. */
export function testClusterNodes(): string {
  return process.env.CP_TEST_REDIS_CLUSTER_NODES ?? '127.0.0.1:17001,127.0.0.1:17002,127.0.0.1:17003';
}

/**
 * The two Redis deployments every store must work on, for `describe.each(REDIS_FLAVOURS)`: one
 * Redis, and a Redis Cluster — where a key group mis-tagged across slots fails with CROSSSLOT.
 */
export const REDIS_FLAVOURS: Array<{ name: string; env: () => Record<string, string> }> = [
  { name: 'single Redis', env: () => ({ CP_REDIS_CLUSTER_NODES: '' }) },
  { name: 'Redis Cluster', env: () => ({ CP_REDIS_CLUSTER_NODES: testClusterNodes() }) },
];

/** `testConfig` on a Redis Cluster (the local stack's unless CP_TEST_REDIS_CLUSTER_NODES says otherwise). */
export function clusterTestConfig(overrides: Record<string, string> = {}): AppConfig {
  return testConfig({ CP_REDIS_CLUSTER_NODES: testClusterNodes(), ...overrides });
}

/** A connection for a test, as the apps open theirs: a Cluster when the config names cluster nodes. */
export function testRedis(config: AppConfig, name = 'test'): RedisClient {
  return connectRedis(config, name);
}
