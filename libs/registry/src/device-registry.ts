import { randomUUID } from 'node:crypto';
import type { FirmwareReport } from '@citypulse/contracts';
import {
  type DeviceQuery,
  type DevicePatch,
  type DeviceRecord,
  type FirmwareUpdateProgress,
  type NewDevice,
  DEVICE_ID_PATTERN,
} from './device.js';
import { deserializeDevice, pairsToHash, serializeDevice } from './device-codec.js';
import { planDeviceQuery } from './device-query.js';
import { CHANGE_CREDENTIALS, CREATE_DEVICES, REMOVE_DEVICE, REPORT_FIRMWARE, UPDATE_DEVICE } from './device-scripts.js';
import { RegistryKeys } from './keys.js';
import { luaScript, type RedisClient } from '@citypulse/redis';
import { DEFAULT_SCRYPT, generateSecret, hashSecret, hashSecrets, type ScryptParams } from './secrets.js';

export class DeviceExistsError extends Error {
  constructor(readonly deviceIds: string[]) {
    super(
      deviceIds.length === 1
        ? `device ${deviceIds[0]} already exists`
        : `${deviceIds.length} devices already ` +
            `exist: ${deviceIds.slice(0, 10).join(', ')}${deviceIds.length > 10 ? ' …' : ''}`,
    );
  }
  get deviceId(): string {
    return this.deviceIds[0];
  }
}

export class InvalidDeviceIdError extends Error {
  constructor(readonly deviceId: string) {
    super(`device id ${JSON.stringify(deviceId)} must match ${DEVICE_ID_PATTERN}`);
  }
}

export interface Issued {
  device: DeviceRecord;
  /** The plain secret: returned once, never stored. */
  secret: string;
}

/**
 * Devices in Redis: one hash per device, sorted-set indexes per city, site and type (so a filtered
 * page never scans the fleet), and credential changes announced to every broker. The registry is
 * the repository for devices; it knows nothing of MQTT or HTTP.
 */
export class DeviceRegistry {
  readonly keys: RegistryKeys;
  private readonly createDevices;
  private readonly updateDevice;
  private readonly changeCredentials;
  private readonly removeDevice;
  private readonly reportFirmwareScript;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new RegistryKeys(prefix);
    this.createDevices = luaScript(redis, 'create_devices', CREATE_DEVICES);
    this.updateDevice = luaScript(redis, 'update_device', UPDATE_DEVICE);
    this.changeCredentials = luaScript(redis, 'change_credentials', CHANGE_CREDENTIALS);
    this.removeDevice = luaScript(redis, 'remove_device', REMOVE_DEVICE);
    this.reportFirmwareScript = luaScript(redis, 'report_firmware', REPORT_FIRMWARE);
  }

  /** Creates the device and returns its secret; the secret is never retrievable again. */
  async provision(input: NewDevice, params: ScryptParams = DEFAULT_SCRYPT): Promise<Issued> {
    const [issued] = await this.provisionMany([input], params, 1);
    return issued;
  }

  /**
   * Creates every device or none (DeviceExistsError names the ids already taken). Secrets are
   * hashed `concurrency` at a time across libuv's threadpool, then everything is written in one
   * atomic script: one round trip for thousands of devices.
   */
  async provisionMany(inputs: readonly NewDevice[], params: ScryptParams, concurrency = 4): Promise<Issued[]> {
    for (const input of inputs) if (!DEVICE_ID_PATTERN.test(input.id)) throw new InvalidDeviceIdError(input.id);
    // Cheap check first, so a bulk call that would conflict does not spend seconds hashing.
    await this.assertNoneExist(inputs.map((d) => d.id));
    const secrets = inputs.map(() => generateSecret());
    const hashes = await hashSecrets(secrets, params, concurrency);
    const createdAt = new Date().toISOString();
    const devices: DeviceRecord[] = inputs.map((input, i) => ({
      id: input.id,
      type: input.type,
      city: input.city,
      site: input.site,
      ...(input.name ? { name: input.name } : {}),
      secretHash: hashes[i],
      credentialVersion: 1,
      revoked: false,
      createdAt,
    }));
    const existing = (await this.createDevices(
      [this.keys.allDevices, this.keys.cities],
      [this.keys.tag, JSON.stringify(devices.map(serializeDevice))],
    )) as string[];
    if (existing.length > 0) throw new DeviceExistsError(existing);
    return devices.map((device, i) => ({ device, secret: secrets[i] }));
  }

  private async assertNoneExist(ids: readonly string[]): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.exists(this.keys.device(id));
    const results = (await pipeline.exec()) ?? [];
    const existing = ids.filter((_, i) => results[i]?.[1] === 1);
    if (existing.length > 0) throw new DeviceExistsError(existing);
  }

  async get(id: string): Promise<DeviceRecord | null> {
    return deserializeDevice(await this.redis.hgetall(this.keys.device(id)));
  }

  /** The devices of these ids, in the same order; null where there is none. */
  async getMany(ids: readonly string[]): Promise<Array<DeviceRecord | null>> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.device(id));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, hash]) => deserializeDevice(hash as Record<string, string>));
  }

  /** One page of devices in id order, with the total matching the filters. */
  async list(query: DeviceQuery): Promise<{ items: DeviceRecord[]; total: number }> {
    const plan = planDeviceQuery(query, this.keys, randomUUID());
    if (plan.empty) return { items: [], total: 0 };
    const multi = this.redis.multi();
    for (const step of plan.steps) {
      if (step.op === 'union') multi.zunionstore(step.into, step.from.length, ...step.from);
      else if (step.op === 'inter') multi.zinterstore(step.into, step.from.length, ...step.from);
      else multi.zdiffstore(step.into, 2, [...step.from]);
    }
    multi.zcard(plan.source);
    multi.zrange(plan.source, String(query.offset), String(query.offset + query.limit - 1));
    if (plan.scratch.length > 0) multi.del(...plan.scratch);
    const results = (await multi.exec()) ?? [];
    const at = plan.steps.length;
    const total = results[at]?.[1] as number;
    const ids = results[at + 1]?.[1] as string[];
    const devices = await this.getMany(ids);
    return { items: devices.filter((d): d is DeviceRecord => d !== null), total };
  }

  /**
   * Ids starting with `idPrefix`, of these cities (undefined: every city), in id order. The indexes
   * have score 0, so this is a lexicographic range per index, never a scan of the fleet.
   */
  async idsStartingWith(idPrefix: string, cities?: readonly string[]): Promise<string[]> {
    const indexes = cities ? cities.map((c) => this.keys.cityIndex(c)) : [this.keys.allDevices];
    const ranges = await Promise.all(
      indexes.map((key) => this.redis.zrangebylex(key, `[${idPrefix}`, `[${idPrefix}\xff`)),
    );
    return [...new Set(ranges.flat())].sort();
  }

  /** Changes city, site or name; index entries follow, and brokers refresh the live session. */
  async update(id: string, patch: DevicePatch): Promise<DeviceRecord | null> {
    const hash = await this.updateDevice(
      [this.keys.device(id), this.keys.presence(id)],
      [this.keys.tag, id, patch.city ?? '', patch.site ?? '', patch.name ?? '', this.keys.controlChannel],
    );
    return deserializeDevice(pairsToHash(hash));
  }

  /** Issues a new secret (lifting a revocation); the old one stops working on every broker at once. */
  async rotate(id: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<Issued | null> {
    const secret = generateSecret();
    const hash = await this.changeCredentials(
      [this.keys.device(id)],
      [await hashSecret(secret, params), this.keys.controlChannel],
    );
    const device = deserializeDevice(pairsToHash(hash));
    return device ? { device, secret } : null;
  }

  /** Refuses the device's secret from now on, and disconnects it wherever it is connected. */
  async revoke(id: string): Promise<DeviceRecord | null> {
    const hash = await this.changeCredentials([this.keys.device(id)], ['', this.keys.controlChannel]);
    return deserializeDevice(pairsToHash(hash));
  }

  /**
   * What the device said of its firmware on its state topic: the running version (indexed, so
   * `list({firmwareVersion})` finds it) and, during an update, the step it reached. False when the
   * device no longer exists.
   */
  async reportFirmware(id: string, report: FirmwareReport, at = new Date()): Promise<boolean> {
    const { version, state, ...rest } = report;
    const progress: FirmwareUpdateProgress | undefined = state ? { state, ...rest, at: at.toISOString() } : undefined;
    return (
      (await this.reportFirmwareScript(
        [this.keys.device(id)],
        [this.keys.tag, id, version, progress ? JSON.stringify(progress) : ''],
      )) === 1
    );
  }

  /** Deletes the device, its index entries and presence, and disconnects it. */
  async remove(id: string): Promise<boolean> {
    const removed = await this.removeDevice(
      [this.keys.device(id), this.keys.presence(id)],
      [this.keys.tag, id, this.keys.controlChannel],
    );
    return removed === 1;
  }
}
