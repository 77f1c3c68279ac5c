// Public entry of @citypulse/devices: the device catalogue, the telemetry decode → validate steps
// and the checks of config patches, commands, state messages and acks, as the service runs them.
export * from './catalogue/fields.js';
export {
  defineDeviceType,
  type DefaultRule,
  type DeviceFamily,
  type DeviceTypeDefinition,
  type DeviceTypeInput,
  type RuleCondition,
  type RuleSeverity,
} from './catalogue/device-type.js';
export { deviceTypes, getDeviceType, deviceTypeNames } from './catalogue/registry.js';
export type {
  AcceptedReading,
  CandidateReading,
  DecodedPayload,
  DecodedTelemetry,
  SenmlOrigin,
  TelemetryLimits,
} from './telemetry/types.js';
export { decodePayload, type DecodeLimits } from './telemetry/decode-payload.js';
export { validateReadings, MAX_REJECTIONS_PER_PAYLOAD } from './telemetry/validate-readings.js';
export { decodeTelemetry } from './telemetry/decode-telemetry.js';
export { compileValidator, type CompiledValidator } from './telemetry/compile-validator.js';
export { parseIsoTime } from './telemetry/iso-time.js';
export type { TimeWindow } from './telemetry/timestamp.js';
export {
  COMMON_COMMANDS,
  COMMON_CONFIG,
  FIRMWARE_UPDATE_COMMAND,
  FIRMWARE_VERSION_PATTERN,
  type CommandSpec,
} from './catalogue/control.js';
export { checkConfigPatch } from './control/check-config.js';
export { checkCommand, type CheckedCommand } from './control/check-command.js';
export type { ValueProblem, CheckedValues } from './control/check-values.js';
export { decodeState, type DecodedState } from './control/decode-state.js';
export { checkFirmwareReport } from './control/check-firmware-report.js';
export { decodeCommandAck, type DecodedCommandAck } from './control/decode-command-ack.js';
