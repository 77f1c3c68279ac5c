import type { FirmwareFailureReason, FirmwareUpdateState } from '@citypulse/contracts';

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
  /** The firmware version the device last reported on its state topic; absent until it reports one. */
  firmwareVersion?: string;
  /** The last step of an over-the-air update it reported, and when. */
  firmwareUpdate?: FirmwareUpdateProgress;
}

/** A device's last reported update step (FirmwareReport without the running version), stamped on arrival. */
export interface FirmwareUpdateProgress {
  state: FirmwareUpdateState;
  target?: string;
  percent?: number;
  reason?: FirmwareFailureReason;
  commandId?: string;
  at: string;
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

/** What an operator may change of a device: where it is and what it is called, never its id or type. */
export interface DevicePatch {
  city?: string;
  site?: string;
  name?: string;
}

/** A page of the device list: filters combine with AND; `withinCities` is the caller's tenancy. */
export interface DeviceQuery {
  city?: string;
  site?: string;
  type?: string;
  /** Devices that last reported running this firmware version. */
  firmwareVersion?: string;
  online?: boolean;
  /** Only devices of these cities (a city-scoped API token); undefined = every city. */
  withinCities?: readonly string[];
  offset: number;
  limit: number;
}

export function toPublic(device: DeviceRecord): DevicePublic {
  const { secretHash: _hidden, ...rest } = device;
  return rest;
}

/**
 * Device ids become MQTT topic levels and Redis keys: keep them to a safe alphabet (no ':' — operator logins use it).
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Cities are tenants and InfluxDB tag values: lower-case slugs such as "beijing". */
export const CITY_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
/** Sites are slugs such as "bj-chaoyang-01". */
export const SITE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
