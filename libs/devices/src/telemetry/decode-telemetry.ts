import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { decodePayload } from './decode-payload.js';
import type { DecodedTelemetry, TelemetryLimits } from './types.js';
import { validateReadings } from './validate-readings.js';

/**
 * The broker's whole per-message work on a telemetry payload: decode → validate. Pure; never throws on device input.
 */
export function decodeTelemetry(
  payload: Buffer,
  type: DeviceTypeDefinition,
  limits: TelemetryLimits,
): DecodedTelemetry {
  return validateReadings(decodePayload(payload, limits), type, limits);
}
