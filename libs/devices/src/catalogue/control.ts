import { integer, text, type FieldSpec } from './fields.js';

/**
 * What operators can change on a device (its configuration, through the shadow) and ask it to do
 * (commands). Both are declared per device type with the same FieldSpec helpers as telemetry, so
 * the one definition validates API requests, what devices report, and the README tables.
 */

/** A command a device type understands. Every listed param is required; no other param is accepted. */
export interface CommandSpec {
  description: string;
  params: Readonly<Record<string, FieldSpec>>;
}

/** Configuration keys every device type has. */
export const COMMON_CONFIG: Readonly<Record<string, FieldSpec>> = {
  reporting_interval_s: integer({
    unit: 's',
    min: 1,
    max: 86_400,
    description: 'Seconds between two telemetry publishes',
  }),
};

/**
 * Firmware versions travel in commands and state reports and become Redis keys and file names:
 * letters, digits and `.`, `+`, `_`, `-` (semver and most vendor schemes fit).
 */
export const FIRMWARE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.+_-]{0,63}$/;

/** The over-the-air update command (devices/README.md, *Firmware updates*). */
export const FIRMWARE_UPDATE_COMMAND = 'firmware-update';

/** Commands every device type understands. */
export const COMMON_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  reboot: { description: 'Restart the device (ack before restarting)', params: {} },
  'set-interval': {
    description:
      'Change the reporting interval now, until the next restart (the shadow’s reporting_interval_s is the ' +
      'lasting setting)',
    params: {
      interval_s: integer({ unit: 's', min: 1, max: 86_400, description: 'Seconds between two telemetry publishes' }),
    },
  },
  [FIRMWARE_UPDATE_COMMAND]: {
    description:
      'Download (GET url, Bearer token, Range to resume), check size and sha256, install; ack only when done: ' +
      'succeeded {version} or failed with the reason. The API fills the params in from params.imageId',
    params: {
      url: text({ pattern: /^https?:\/\/\S+$/, maxLength: 2048, description: 'Where to download the image' }),
      version: text({
        pattern: FIRMWARE_VERSION_PATTERN,
        maxLength: 64,
        description: 'The version the image installs',
      }),
      size: integer({ unit: 'bytes', min: 1, max: 4 * 1024 ** 3, description: 'Size of the image' }),
      sha256: text({ pattern: /^[0-9a-f]{64}$/, maxLength: 64, description: 'SHA-256 of the image, lower-case hex' }),
      token: text({
        pattern: /^\S+$/,
        maxLength: 1024,
        description: 'Download token for this image and device (short-lived)',
      }),
    },
  },
};

/** Config keys become JSON keys in firmware, like telemetry fields: snake_case. */
export const CONFIG_KEY = /^[a-z][a-z0-9_]{0,62}$/;
/** Command names are kebab-case, like device type names. */
export const COMMAND_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
