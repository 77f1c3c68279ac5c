import { randomUUID } from 'node:crypto';
import { loadConfig, type AppConfig } from '@citypulse/config';

/** A short unique name for isolating one test's Redis keys, database and client ids. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/**
 * Configuration for one test: the local stack's servers (or whatever the environment points
 * at), with its own Redis prefix and InfluxDB database, and ephemeral listener ports.
 */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig(testEnv(overrides));
}

/** The environment behind `testConfig`, for starting citypulse processes with the same settings. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const name = uniqueName();
  return {
    ...(process.env as Record<string, string>),
    CP_API_TOKEN: 'test-admin-token-0123456789',
    CP_REDIS_PREFIX: name,
    CP_INFLUX_DB: `test_${name}`,
    CP_MQTT_PORT: '0',
    CP_HTTP_PORT: '0',
    CP_HEALTH_PORT: '0',
    CP_LOG_LEVEL: process.env.CP_LOG_LEVEL ?? 'silent',
    CP_INSTANCE_ID: name,
    // scrypt at the lowest cost the config takes (1024, as bulk provisioning uses) rather than
    // production's 16384: the same hashing and verifying code, but tests provision and log in
    // hundreds of devices, at ~50 ms of CPU a hash on two cores. No test depends on the cost.
    CP_SECRET_SCRYPT_N: '1024',
    ...overrides,
  };
}
