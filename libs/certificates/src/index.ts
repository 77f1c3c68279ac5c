// Public entry of @citypulse/certificates: device X.509 certificates (issued from CSRs or registered
// by fingerprint), their revocation and expiry, in Redis.
export { DeviceCertificateStore } from './device-certificate-store.js';
export {
  CertificateExistsError,
  viewOf,
  type CertificateRecord,
  type CertificateView,
  type CertificateSource,
  type NewCertificate,
} from './certificate.js';
export { normalizeSerial, normalizeFingerprint, SERIAL_PATTERN, FINGERPRINT_PATTERN } from './normal-form.js';
// Certificate login on the broker: the device CAs of CP_MQTT_TLS_CA and what a presented certificate says.
export { DeviceCas, type DeviceCa, type DeviceCaSource } from './device-cas.js';
export {
  identifyCertificate,
  matchDevice,
  certificateNames,
  type PresentedCertificate,
  type CertificateIdentity,
  type CertificateRefusal,
  type CertificateRefusalReason,
} from './identify-certificate.js';
