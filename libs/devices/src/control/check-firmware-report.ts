import {
  FIRMWARE_FAILURE_REASONS,
  FIRMWARE_UPDATE_STATES,
  type FirmwareReport,
  type Rejection,
} from '@citypulse/contracts';
import { FIRMWARE_VERSION_PATTERN } from '../catalogue/control.js';
import { isObject, quote, typeName } from '../telemetry/describe.js';

const KEYS = new Set(['version', 'state', 'target', 'percent', 'reason', 'commandId']);
const STATES: ReadonlySet<string> = new Set(FIRMWARE_UPDATE_STATES);
const REASONS: ReadonlySet<string> = new Set(FIRMWARE_FAILURE_REASONS);
const COMMAND_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * The `firmware` of a state message: `{version, state?, target?, percent?, reason?, commandId?}`.
 * Every problem is one rejection with `field` under `firmware.`, so a device learns exactly what
 * to fix; one bad key refuses the whole report.
 */
export function checkFirmwareReport(
  input: unknown,
): { ok: true; report: FirmwareReport } | { ok: false; rejected: Rejection[] } {
  if (!isObject(input))
    return {
      ok: false,
      rejected: [
        {
          reason: 'invalid_shape',
          field: 'firmware',
          detail: `firmware is ${typeName(input)}; expected {"version": "…", "state"?: …}`,
        },
      ],
    };
  const rejected: Rejection[] = [];
  const wrong = (field: string, detail: string, reason: Rejection['reason'] = 'wrong_type') =>
    rejected.push({ reason, field: `firmware.${field}`, detail });
  for (const key of Object.keys(input))
    if (!KEYS.has(key))
      wrong(key.slice(0, 64), `unexpected key ${quote(key)}; firmware has ${[...KEYS].join(', ')}`, 'unknown_field');
  const { version, state, target, percent, reason, commandId } = input;
  if (typeof version !== 'string' || !FIRMWARE_VERSION_PATTERN.test(version))
    wrong('version', `version must be the running version as text matching ${FIRMWARE_VERSION_PATTERN.source}`);
  if (state !== undefined && (typeof state !== 'string' || !STATES.has(state)))
    wrong('state', `state must be one of ${FIRMWARE_UPDATE_STATES.join(', ')}`);
  if (target !== undefined && (typeof target !== 'string' || !FIRMWARE_VERSION_PATTERN.test(target)))
    wrong('target', `target must be a version matching ${FIRMWARE_VERSION_PATTERN.source}`);
  if (percent !== undefined) {
    if (typeof percent !== 'number') wrong('percent', `percent is ${typeName(percent)}; expected a number`);
    else if (!(percent >= 0 && percent <= 100))
      wrong('percent', `percent = ${percent} is outside 0 … 100`, 'out_of_range');
  }
  if (reason !== undefined && (typeof reason !== 'string' || !REASONS.has(reason)))
    wrong('reason', `reason must be one of ${FIRMWARE_FAILURE_REASONS.join(', ')}`);
  if (commandId !== undefined && (typeof commandId !== 'string' || !COMMAND_ID.test(commandId)))
    wrong('commandId', 'commandId must be the id of the firmware-update command');
  if (rejected.length > 0) return { ok: false, rejected };
  const report: FirmwareReport = { version: version as string };
  if (state !== undefined) report.state = state as FirmwareReport['state'];
  if (target !== undefined) report.target = target as string;
  if (percent !== undefined) report.percent = percent as number;
  if (reason !== undefined) report.reason = reason as FirmwareReport['reason'];
  if (commandId !== undefined) report.commandId = commandId as string;
  return { ok: true, report };
}
