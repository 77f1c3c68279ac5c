import type { DeviceRecord, FirmwareUpdateProgress } from './device.js';

/** A device as the strings of its Redis hash. */
export function serializeDevice(device: DeviceRecord): Record<string, string> {
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

/** The device of a Redis hash; null for a missing or incomplete one. */
export function deserializeDevice(hash: Record<string, string> | null | undefined): DeviceRecord | null {
  if (!hash || !hash.id || !hash.secretHash) return null;
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
    ...(hash.firmwareVersion ? { firmwareVersion: hash.firmwareVersion } : {}),
    ...(hash.firmwareUpdate ? { firmwareUpdate: JSON.parse(hash.firmwareUpdate) as FirmwareUpdateProgress } : {}),
  };
}

/** HGETALL as a Lua script returns it: a flat [field, value, …] array. */
export function pairsToHash(pairs: unknown): Record<string, string> | null {
  if (!Array.isArray(pairs)) return null;
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[String(pairs[i])] = String(pairs[i + 1]);
  return hash;
}
