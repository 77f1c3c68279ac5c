import type { FieldValue, Rejection } from '@citypulse/contracts';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { compileValidator } from './compile-validator.js';
import { resolveTimestamp, type TimeWindow } from './timestamp.js';
import type { AcceptedReading, DecodedPayload, DecodedTelemetry } from './types.js';

/**
 * Most rejections reported for one publish. A 64 KB payload of tiny bad fields would otherwise
 * echo back ~1 MB of details on the error topic and into the dead-letter store.
 */
export const MAX_REJECTIONS_PER_PAYLOAD = 100;

/**
 * Step two: checks each candidate's time and values against the device type. A reading with any
 * bad field is dropped whole (half a reading would store a misleading point), with one Rejection
 * per problem; the other readings of the same publish are accepted.
 */
export function validateReadings(
  decoded: DecodedPayload,
  type: DeviceTypeDefinition,
  window: TimeWindow,
): DecodedTelemetry {
  const validator = compileValidator(type);
  const rejected: Rejection[] = decoded.rejected.slice();
  const accepted: AcceptedReading[] = [];
  let rejectedReadings = decoded.rejectedReadings;
  for (const candidate of decoded.candidates) {
    const before = rejected.length;
    const tsMs = resolveTimestamp(candidate.ts, window, candidate.index, rejected, candidate.senml !== undefined);
    validator.validateValues(candidate.values, candidate.index, rejected, candidate.senml);
    if (rejected.length !== before) {
      rejectedReadings++;
      continue;
    }
    // SenML values sit in a null-prototype object; every key is now a known field, so a plain copy is safe.
    const values = candidate.senml ? { ...candidate.values } : candidate.values;
    accepted.push({ tsMs, values: values as Record<string, FieldValue> });
  }
  const rejectionsOmitted = Math.max(0, rejected.length - MAX_REJECTIONS_PER_PAYLOAD);
  if (rejectionsOmitted > 0) rejected.length = MAX_REJECTIONS_PER_PAYLOAD;
  return { accepted, rejected, rejectedReadings, rejectionsOmitted };
}
