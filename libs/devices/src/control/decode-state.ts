import type { ConfigValue, FirmwareReport, Rejection } from '@citypulse/contracts';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { isObject, quote, typeName } from '../telemetry/describe.js';
import { checkConfigPatch } from './check-config.js';
import { checkFirmwareReport } from './check-firmware-report.js';
import { parseJson, refuse } from './parse-json.js';

export type DecodedState =
  | { ok: true; reported: Record<string, ConfigValue | null>; online?: boolean; firmware?: FirmwareReport }
  | { ok: false; rejected: Rejection[] };

const SHAPE = 'expected {"reported": {…}}, {"firmware": {…}} and/or {"online": false}';
const KEYS = new Set(['reported', 'online', 'firmware']);

/**
 * A publish on `devices/{id}/state`: `{reported?: {key: value | null}, firmware?: {…}, online?: boolean}`,
 * at least one of them. Reported keys are the type's config keys; one bad key (or a bad firmware
 * report) refuses the whole message, so the kept state is never half of what the device said.
 */
export function decodeState(payload: Buffer, type: DeviceTypeDefinition, maxBytes: number): DecodedState {
  const parsed = parseJson(payload, maxBytes);
  if (!parsed.ok) return parsed;
  const body = parsed.body;
  if (!isObject(body)) return refuse({ reason: 'invalid_shape', detail: `top level is ${typeName(body)}; ${SHAPE}` });
  for (const key of Object.keys(body)) {
    if (!KEYS.has(key))
      return refuse({
        reason: 'invalid_shape',
        field: key.slice(0, 64),
        detail: `unexpected key ${quote(key)}; ${SHAPE}`,
      });
  }
  if (body.reported === undefined && body.online === undefined && body.firmware === undefined)
    return refuse({ reason: 'invalid_shape', detail: `nothing to report; ${SHAPE}` });
  if (body.online !== undefined && typeof body.online !== 'boolean') {
    return refuse({
      reason: 'wrong_type',
      field: 'online',
      detail: `online is ${typeName(body.online)}; expected true or false`,
    });
  }
  const online = body.online;
  const firmware = body.firmware === undefined ? undefined : checkFirmwareReport(body.firmware);
  if (firmware && !firmware.ok) return refuse(...firmware.rejected);
  const extras = { ...(online !== undefined && { online }), ...(firmware?.ok && { firmware: firmware.report }) };
  if (body.reported === undefined) return { ok: true, reported: {}, ...extras };
  const checked = checkConfigPatch(type, body.reported);
  if (checked.problems.length > 0) {
    return refuse(
      ...checked.problems.map((p) => ({
        reason: p.reason,
        ...(p.key !== undefined && { field: `reported.${p.key.slice(0, 64)}` }),
        detail: p.detail,
      })),
    );
  }
  return { ok: true, reported: checked.values, ...extras };
}
