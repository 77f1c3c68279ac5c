import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';
import { deviceDeliveryChannel, type ConfigValue, type DeviceDeliveryNotice } from '@citypulse/contracts';
import { shadowDelta } from './delta.js';
import type { ConfigPatch, Shadow } from './shadow.js';
import { UPDATE_SHADOW } from './shadow-script.js';

export type DesiredUpdate = { ok: true; shadow: Shadow } | { ok: false; currentVersion: number };

/**
 * Device shadows in Redis, one hash per device. The keys and values are checked against the
 * device type's config schema before they get here (checkConfigPatch), which also bounds the size.
 * A desired update publishes a delivery notice (deviceDeliveryChannel) in the same script.
 */
export class ShadowStore {
  private readonly channel: string;
  private readonly updateScript: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.channel = deviceDeliveryChannel(prefix);
    this.updateScript = luaScript(redis, 'citypulse_shadow_update', UPDATE_SHADOW);
  }

  key(deviceId: string): string {
    return `${this.prefix}:shadow:${deviceId}`;
  }

  async get(deviceId: string): Promise<Shadow> {
    return toShadow(deviceId, await this.redis.hgetall(this.key(deviceId)));
  }

  /** Merges `patch` into the desired side; with `expectedVersion`, only if the desired version is still that. */
  async setDesired(
    deviceId: string,
    patch: ConfigPatch,
    options: { expectedVersion?: number; at?: Date } = {},
  ): Promise<DesiredUpdate> {
    const notice: DeviceDeliveryNotice = { deviceId, kind: 'config' };
    const [ok, version] = await this.update(
      deviceId,
      'd',
      patch,
      options.at ?? new Date(),
      options.expectedVersion,
      JSON.stringify(notice),
    );
    if (!ok) return { ok: false, currentVersion: version };
    return { ok: true, shadow: await this.get(deviceId) };
  }

  /** Merges what the device reported; returns the new reported version. */
  async report(deviceId: string, patch: ConfigPatch, at = new Date()): Promise<number> {
    const [, version] = await this.update(deviceId, 'r', patch, at);
    return version;
  }

  async remove(deviceId: string): Promise<void> {
    await this.redis.del(this.key(deviceId));
  }

  private async update(
    deviceId: string,
    side: 'd' | 'r',
    patch: ConfigPatch,
    at: Date,
    expectedVersion?: number,
    notice?: string,
  ): Promise<[number, number]> {
    const pairs = Object.entries(patch).flatMap(([key, value]) => [key, value === null ? '' : JSON.stringify(value)]);
    return (await this.updateScript(
      [this.key(deviceId)],
      [side, expectedVersion ?? '', at.toISOString(), notice ? this.channel : '', notice ?? '', ...pairs],
    )) as [number, number];
  }
}

function toShadow(deviceId: string, hash: Record<string, string>): Shadow {
  const desired: Record<string, ConfigValue> = {};
  const reported: Record<string, ConfigValue> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('d:')) desired[field.slice(2)] = JSON.parse(value) as ConfigValue;
    else if (field.startsWith('r:')) reported[field.slice(2)] = JSON.parse(value) as ConfigValue;
  }
  return {
    deviceId,
    desired,
    reported,
    delta: shadowDelta(desired, reported),
    desiredVersion: Number(hash.desiredVersion ?? 0),
    reportedVersion: Number(hash.reportedVersion ?? 0),
    ...(hash.desiredAt && { desiredAt: hash.desiredAt }),
    ...(hash.reportedAt && { reportedAt: hash.reportedAt }),
  };
}
