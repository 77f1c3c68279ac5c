/** A provisioned device as the registry keeps it (the secret only as a hash). */
export interface DeviceRecord {
  id: string;
  type: string;
  city: string;
  site: string;
  name?: string;
  secretHash: string;
  /** Bumped on rotate/revoke so brokers drop cached sessions. */
  credentialVersion: number;
  revoked: boolean;
  createdAt: string;
}

/** What the API and other services may see of a device. */
export type DevicePublic = Omit<DeviceRecord, 'secretHash'>;

export interface NewDevice {
  id: string;
  type: string;
  city: string;
  site: string;
  name?: string;
}

export function toPublic(device: DeviceRecord): DevicePublic {
  const { secretHash: _hidden, ...rest } = device;
  return rest;
}

/** Device ids become MQTT topic levels and Redis keys: keep them to a safe alphabet. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
