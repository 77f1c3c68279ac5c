import type { Redis } from 'ioredis';
import { type DeviceRecord, type NewDevice, DEVICE_ID_PATTERN } from './device.js';
import { generateSecret, hashSecret } from './secrets.js';

export class DeviceExistsError extends Error {
  constructor(readonly deviceId: string) {
    super(`device ${deviceId} already exists`);
  }
}

export class InvalidDeviceIdError extends Error {
  constructor(readonly deviceId: string) {
    super(`device id ${JSON.stringify(deviceId)} must match ${DEVICE_ID_PATTERN}`);
  }
}

/**
 * Devices in Redis: one hash per device plus an index set. The registry is the repository for
 * devices; it knows nothing of MQTT or HTTP.
 */
export class DeviceRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:device:${id}`;
  }

  private get indexKey(): string {
    return `${this.prefix}:devices`;
  }

  /** Creates the device and returns its secret; the secret is never retrievable again. */
  async provision(input: NewDevice): Promise<{ device: DeviceRecord; secret: string }> {
    if (!DEVICE_ID_PATTERN.test(input.id)) throw new InvalidDeviceIdError(input.id);
    const secret = generateSecret();
    const device: DeviceRecord = {
      ...input,
      secretHash: await hashSecret(secret),
      credentialVersion: 1,
      revoked: false,
      createdAt: new Date().toISOString(),
    };
    // HSETNX on the id field makes creation atomic: two concurrent provisions cannot both win.
    const created = await this.redis.hsetnx(this.key(input.id), 'id', input.id);
    if (created === 0) throw new DeviceExistsError(input.id);
    await this.redis.multi().hset(this.key(input.id), serialize(device)).sadd(this.indexKey, input.id).exec();
    return { device, secret };
  }

  async get(id: string): Promise<DeviceRecord | null> {
    const hash = await this.redis.hgetall(this.key(id));
    return hash.id && hash.secretHash ? deserialize(hash) : null;
  }

  async list(): Promise<DeviceRecord[]> {
    const ids = await this.redis.smembers(this.indexKey);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key(id));
    const results = (await pipeline.exec()) ?? [];
    return results
      .map(([, hash]) => hash as Record<string, string>)
      .filter((hash) => hash && hash.id && hash.secretHash)
      .map(deserialize)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async remove(id: string): Promise<boolean> {
    const [[, deleted]] = ((await this.redis.multi().del(this.key(id)).srem(this.indexKey, id).exec()) ?? [[null, 0]]) as [
      [unknown, number],
    ];
    return deleted === 1;
  }
}

function serialize(device: DeviceRecord): Record<string, string> {
  const fields: Record<string, string> = {
    id: device.id,
    type: device.type,
    city: device.city,
    site: device.site,
    secretHash: device.secretHash,
    credentialVersion: String(device.credentialVersion),
    revoked: device.revoked ? '1' : '0',
    createdAt: device.createdAt,
  };
  if (device.name) fields.name = device.name;
  return fields;
}

function deserialize(hash: Record<string, string>): DeviceRecord {
  return {
    id: hash.id,
    type: hash.type,
    city: hash.city,
    site: hash.site,
    ...(hash.name ? { name: hash.name } : {}),
    secretHash: hash.secretHash,
    credentialVersion: Number(hash.credentialVersion),
    revoked: hash.revoked === '1',
    createdAt: hash.createdAt,
  };
}
