import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import type { DeviceRecord } from '@citypulse/registry';
import { REDIS_FLAVOURS, flushPrefix, testConfig, testRedis } from '@citypulse/testing';
import { LoginProofs } from './login-proofs.js';

describe.each(REDIS_FLAVOURS)('LoginProofs on $name', (flavour) => {
  let config: AppConfig;
  let redis: RedisClient;
  let proofs: LoginProofs;
  const device: DeviceRecord = {
    id: 'proof-1',
    type: 'env-sensor',
    city: 'beijing',
    site: 'bj-1',
    secretHash: 'scrypt$1024$8$1$c2FsdA$aGFzaA',
    credentialVersion: 3,
    revoked: false,
    createdAt: '2026-01-01T00:00:00Z',
  };

  beforeAll(() => {
    config = testConfig(flavour.env());
    redis = testRedis(config);
    proofs = new LoginProofs(redis, config.redis.prefix, 60);
  });
  afterAll(async () => {
    redis.disconnect();
    await flushPrefix(config);
  });

  it('proves a remembered secret for the same credentials only, and renews the proof on each use', async () => {
    expect(await proofs.matches(device, 's3cret')).toBe(false);
    await proofs.remember(device, 's3cret');
    await redis.expire(proofs.key(device.id), 5);
    expect(await proofs.matches(device, 's3cret')).toBe(true);
    expect(await redis.ttl(proofs.key(device.id))).toBeGreaterThan(5);
    expect(await proofs.matches(device, 'wrong')).toBe(false);
    // Rotated or revoked: the version moved on, the old proof proves nothing.
    expect(await proofs.matches({ ...device, credentialVersion: 4 }, 's3cret')).toBe(false);
    expect(await proofs.matches({ ...device, secretHash: 'scrypt$1024$8$1$bmV3$aGFzaA' }, 's3cret')).toBe(false);
  });
});
