import { COMMAND_ACK_STATUSES, type CommandAck, type Rejection } from '@citypulse/contracts';
import { isObject, quote, typeName } from '../telemetry/describe.js';
import { parseJson, refuse } from './parse-json.js';

export type DecodedCommandAck = { ok: true; ack: CommandAck } | { ok: false; rejected: Rejection[] };

const SHAPE = 'expected {"id", "status": "succeeded" | "failed", "result"?, "error"?}';
const ACK_KEYS = new Set(['id', 'status', 'result', 'error']);
/** Command ids are UUIDs; anything much longer is not one of ours. */
const MAX_ID = 64;
const MAX_ERROR = 1000;

/**
 * A publish on `devices/{id}/command-acks`. Whether the id is one of this device's open commands is the store's
 * question.
 */
export function decodeCommandAck(payload: Buffer, maxBytes: number): DecodedCommandAck {
  const parsed = parseJson(payload, maxBytes);
  if (!parsed.ok) return parsed;
  const body = parsed.body;
  if (!isObject(body)) return refuse({ reason: 'invalid_shape', detail: `top level is ${typeName(body)}; ${SHAPE}` });
  for (const key of Object.keys(body)) {
    if (!ACK_KEYS.has(key))
      return refuse({
        reason: 'invalid_shape',
        field: key.slice(0, 64),
        detail: `unexpected key ${quote(key)}; ${SHAPE}`,
      });
  }
  if (typeof body.id !== 'string' || body.id.length === 0 || body.id.length > MAX_ID) {
    return refuse({
      reason: 'invalid_shape',
      field: 'id',
      detail: `id must be the command's id (a string of 1 to ${MAX_ID} characters); got ${typeName(body.id)}`,
    });
  }
  if (!COMMAND_ACK_STATUSES.includes(body.status as never)) {
    return refuse({
      reason: 'invalid_shape',
      field: 'status',
      detail:
        `status must be "succeeded" or "failed"; ` +
        `got ${typeof body.status === 'string' ? quote(body.status) : typeName(body.status)}`,
    });
  }
  if (body.error !== undefined && (typeof body.error !== 'string' || body.error.length > MAX_ERROR)) {
    return refuse({
      reason: 'invalid_shape',
      field: 'error',
      detail: `error must be a string of at most ${MAX_ERROR} characters`,
    });
  }
  const ack: CommandAck = { id: body.id, status: body.status as CommandAck['status'] };
  if (body.result !== undefined) ack.result = body.result;
  if (body.error !== undefined) ack.error = body.error;
  return { ok: true, ack };
}
