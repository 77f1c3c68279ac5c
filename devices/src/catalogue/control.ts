import { integer, type FieldSpec } from './fields.js';

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
  reporting_interval_s: integer({ unit: 's', min: 1, max: 86_400, description: 'Seconds between two telemetry publishes' }),
};

/** Commands every device type understands. */
export const COMMON_COMMANDS: Readonly<Record<string, CommandSpec>> = {
  reboot: { description: 'Restart the device (ack before restarting)', params: {} },
  'set-interval': {
    description: 'Change the reporting interval now, until the next restart (the shadow’s reporting_interval_s is the lasting setting)',
    params: { interval_s: integer({ unit: 's', min: 1, max: 86_400, description: 'Seconds between two telemetry publishes' }) },
  },
};

/** Config keys become JSON keys in firmware, like telemetry fields: snake_case. */
export const CONFIG_KEY = /^[a-z][a-z0-9_]{0,62}$/;
/** Command names are kebab-case, like device type names. */
export const COMMAND_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
