import type { Rejection, RejectionReason } from '@citypulse/contracts';
import { isObject, quote, typeName } from './describe.js';
import { rejection } from './rejection.js';
import { decodeSenml, isSenmlRecord } from './senml.js';
import type { CandidateReading, DecodedPayload, TelemetryLimits } from './types.js';

export type DecodeLimits = Pick<TelemetryLimits, 'receivedAtMs' | 'maxPayloadBytes' | 'maxBatchReadings'>;

const SHAPES = 'expected {"ts"?, "values": {…}}, {"readings": […]}, a JSON array of readings, or a SenML pack';
const MAX_PARSE_MESSAGE = 160;

/**
 * Step one of the telemetry path: bytes to candidate readings, knowing nothing of device types.
 * Auto-detects the shape: a single reading `{ts?, values}`, a batch `{readings: [...]}` or a bare
 * array of readings, or a SenML pack (an array whose first element has SenML keys).
 */
export function decodePayload(payload: Buffer, limits: DecodeLimits): DecodedPayload {
  // Checked before parsing so an oversized publish costs no JSON work.
  if (payload.length > limits.maxPayloadBytes) {
    return refuse(
      'payload_too_large',
      `payload is ${payload.length} bytes; the limit is ${limits.maxPayloadBytes} bytes`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch (err) {
    return refuse(
      'malformed_json',
      payload.length === 0
        ? 'payload is empty'
        : `not valid JSON: ${(err as Error).message.slice(0, MAX_PARSE_MESSAGE)}`,
    );
  }
  if (Array.isArray(body)) return decodeArray(body, limits);
  if (!isObject(body)) return refuse('invalid_shape', `top level is ${typeName(body)}; ${SHAPES}`);
  if (Object.hasOwn(body, 'values')) return decodeSingle(body);
  if (Object.hasOwn(body, 'readings')) return decodeBatchObject(body, limits);
  return refuse('invalid_shape', `object has neither "values" nor "readings"; ${SHAPES}`);
}

function decodeSingle(body: Record<string, unknown>): DecodedPayload {
  const out: Rejection[] = [];
  const candidate = readReading(body, undefined, out);
  return candidate
    ? { candidates: [candidate], rejected: out, rejectedReadings: 0 }
    : { candidates: [], rejected: out, rejectedReadings: 1 };
}

function decodeBatchObject(body: Record<string, unknown>, limits: DecodeLimits): DecodedPayload {
  for (const key in body) {
    if (key !== 'readings')
      return refuse(
        'invalid_shape',
        `unexpected key ${quote(key)} next to "readings"; a batch is {"readings": […]} only`,
      );
  }
  const readings = body.readings;
  if (!Array.isArray(readings))
    return refuse('invalid_shape', `"readings" is ${typeName(readings)}; expected an array of {"ts"?, "values"}`);
  return decodeBatch(readings, limits);
}

function decodeArray(body: unknown[], limits: DecodeLimits): DecodedPayload {
  if (body.length === 0) return refuse('invalid_shape', `the array is empty; ${SHAPES}`);
  const first = body[0];
  // The first element decides, so one stray element cannot flip a whole batch into the other format.
  if (isObject(first) && Object.hasOwn(first, 'values')) return decodeBatch(body, limits);
  if (isSenmlRecord(first)) return decodeSenml(body, limits);
  return refuse(
    'invalid_shape',
    `the first array element is neither a reading {"ts"?, "values"} nor a SenML record; ${SHAPES}`,
  );
}

function decodeBatch(readings: unknown[], limits: DecodeLimits): DecodedPayload {
  if (readings.length === 0) return refuse('invalid_shape', 'the batch has no readings');
  // All or nothing: accepting the first N would leave the device unsure which readings to resend.
  if (readings.length > limits.maxBatchReadings) {
    return refuse(
      'batch_too_large',
      `the batch holds ${readings.length} readings; the limit is ${limits.maxBatchReadings} per publish`,
    );
  }
  const candidates: CandidateReading[] = [];
  const rejected: Rejection[] = [];
  for (let i = 0; i < readings.length; i++) {
    const candidate = readReading(readings[i], i, rejected);
    if (candidate) candidates.push(candidate);
  }
  return { candidates, rejected, rejectedReadings: readings.length - candidates.length };
}

/**
 * `{ts?, values}` and nothing else. Any other key is refused rather than ignored: a firmware that
 * sends "timestamp" or "value" would otherwise have its readings stored at the wrong time or lost.
 */
function readReading(reading: unknown, index: number | undefined, out: Rejection[]): CandidateReading | undefined {
  if (!isObject(reading)) {
    out.push(
      rejection('invalid_shape', index, undefined, `reading is ${typeName(reading)}; expected {"ts"?, "values": {…}}`),
    );
    return undefined;
  }
  const values = reading.values;
  if (!isObject(values)) {
    out.push(
      rejection(
        'invalid_shape',
        index,
        undefined,
        `"values" is ${typeName(values)}; expected an object of field: value`,
      ),
    );
    return undefined;
  }
  for (const key in reading) {
    if (key !== 'values' && key !== 'ts') {
      out.push(
        rejection(
          'invalid_shape',
          index,
          undefined,
          `unexpected key ${quote(key)} in a reading; only "ts" and "values" are allowed`,
        ),
      );
      return undefined;
    }
  }
  return { index, ts: reading.ts, values };
}

function refuse(reason: RejectionReason, detail: string): DecodedPayload {
  return { candidates: [], rejected: [rejection(reason, undefined, undefined, detail)], rejectedReadings: 1 };
}
