/**
 * What travels on the shadow and command topics, both ways. Documented for firmware authors in
 * devices/README.md; the device-side client (devices/src/client) and the broker share these types.
 */

/** A configuration value: the catalogue's config keys are numbers, integers, flags or enums. */
export type ConfigValue = number | boolean | string;

/** cloud → device on `devices/{id}/config` (QoS 1): the whole desired configuration, every time. */
export interface ConfigMessage {
  /** Grows by one with every change of the desired configuration. */
  version: number;
  desired: Record<string, ConfigValue>;
  /** When this version was set (ISO-8601). */
  at: string;
}

/**
 * device → cloud on `devices/{id}/state` (QoS 1). `reported` is merged into the kept reported
 * state (a key set to null is removed). `online: false` alone is the last will the device-side
 * client sets; presence itself is the broker's business and does not read it.
 */
export interface StateMessage {
  reported?: Record<string, ConfigValue | null>;
  online?: boolean;
  /** The firmware the device runs, and how an over-the-air update is going (devices/README.md, *Firmware updates*). */
  firmware?: FirmwareReport;
}

/** The steps of an over-the-air update, in order; `done` and `failed` end it. */
export const FIRMWARE_UPDATE_STATES = [
  'downloading',
  'verifying',
  'installing',
  'rebooting',
  'done',
  'failed',
] as const;
export type FirmwareUpdateState = (typeof FIRMWARE_UPDATE_STATES)[number];

/**
 * Why an update failed, as the device reports it (state `failed`, `reason`) and as the error of its
 * firmware-update ack. The device keeps running its old version in every case.
 */
export const FIRMWARE_FAILURE_REASONS = [
  'download_failed',
  'size_mismatch',
  'sha256_mismatch',
  'install_failed',
  'busy',
] as const;
export type FirmwareFailureReason = (typeof FIRMWARE_FAILURE_REASONS)[number];

/**
 * `firmware` of a state message. `version` is always the version running now; during an update
 * `state` says where it is, `target` the version being installed, `percent` the share downloaded
 * (0-100, while downloading) and `reason` why it failed (state `failed`). `commandId` names the
 * firmware-update command it answers. A report without `state` only says what runs (send it after
 * every connect).
 */
export interface FirmwareReport {
  version: string;
  state?: FirmwareUpdateState;
  target?: string;
  percent?: number;
  reason?: FirmwareFailureReason;
  commandId?: string;
}

/** cloud → device on `devices/{id}/commands` (QoS 1). The same command may arrive twice: act once per `id`. */
export interface CommandMessage {
  id: string;
  name: string;
  params: Record<string, ConfigValue>;
  issuedAt: string;
  /** After this the command is timed out and an ack is refused with `command_closed`. */
  deadline: string;
}

export const COMMAND_ACK_STATUSES = ['succeeded', 'failed'] as const;
export type CommandAckStatus = (typeof COMMAND_ACK_STATUSES)[number];

/** device → cloud on `devices/{id}/command-acks` (QoS 1): the outcome of one command. */
export interface CommandAck {
  id: string;
  status: CommandAckStatus;
  /** Any JSON the command produced (succeeded). */
  result?: unknown;
  /** Why it failed, for humans (failed). */
  error?: string;
}

/**
 * Redis pub/sub: "the device has something new to receive". Every broker listens; the one holding
 * the device's connection reads what is due from Redis and delivers it, so the API never needs to
 * know where a device is connected.
 */
export interface DeviceDeliveryNotice {
  deviceId: string;
  kind: 'config' | 'commands';
}

export function deviceDeliveryChannel(prefix: string): string {
  return `${prefix}:device-deliveries`;
}
