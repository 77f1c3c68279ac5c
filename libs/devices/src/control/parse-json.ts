import type { Rejection } from '@citypulse/contracts';

const MAX_PARSE_MESSAGE = 160;

/**
 * Bytes to JSON with the size checked first, as the telemetry decoder does; a refusal is one whole-payload rejection.
 */
export function parseJson(
  payload: Buffer,
  maxBytes: number,
): { ok: true; body: unknown } | { ok: false; rejected: Rejection[] } {
  if (payload.length > maxBytes)
    return refuse({
      reason: 'payload_too_large',
      detail: `payload is ${payload.length} bytes; the limit is ${maxBytes} bytes`,
    });
  try {
    return { ok: true, body: JSON.parse(payload.toString('utf8')) };
  } catch (err) {
    return refuse({
      reason: 'malformed_json',
      detail:
        payload.length === 0
          ? 'payload is empty'
          : `not valid JSON: ${(err as Error).message.slice(0, MAX_PARSE_MESSAGE)}`,
    });
  }
}

export function refuse(...rejected: Rejection[]): { ok: false; rejected: Rejection[] } {
  return { ok: false, rejected };
}
