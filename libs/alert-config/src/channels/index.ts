export {
  CHANNEL_KINDS,
  URL_KINDS,
  maskedChannel,
  secretContext,
  type Channel,
  type ChannelKind,
  type SmtpSettings,
} from './channel.js';
export { ChannelRepository } from './channel-repository.js';
export {
  escalationStep,
  type EscalationLevel,
  type EscalationPolicy,
  type OnCallRotation,
} from './escalation-policy.js';
export { onDuty } from './on-call.js';
export { SEVERITY_NAMES, type AlertSeverityName } from './severity.js';
export {
  openSecret,
  sealSecret,
  storeSecret,
  SecretUnavailableError,
  SECRET_REF_PATTERN,
  type StoredSecret,
} from './secret-box.js';
