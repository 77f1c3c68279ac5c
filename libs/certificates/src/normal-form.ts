/**
 * One spelling for serial numbers and fingerprints, so a value read from a TLS socket
 * (`getPeerCertificate()`), from openssl, from @peculiar/x509 or typed by an operator finds the
 * same Redis entry.
 *
 * - serial: upper-case hex, no colons or spaces, no leading zeros ("0" for zero). DER adds a
 *   leading 00 byte to keep a serial positive and tools differ on showing it: `00:8F:1A` and
 *   `8f1a` are the same certificate.
 * - fingerprint: SHA-256 of the certificate's DER, 64 upper-case hex digits, no colons (Node's
 *   `fingerprint256` is the same digits with colons).
 */
export const SERIAL_PATTERN = /^[0-9A-F]{1,40}$/;
export const FINGERPRINT_PATTERN = /^[0-9A-F]{64}$/;

const separators = /[\s:]/g;

/** The normal form of a serial, or undefined when it is not hex (RFC 5280 §4.1.2.2: at most 20 octets). */
export function normalizeSerial(serial: string): string | undefined {
  const hex = serial
    .replace(separators, '')
    .toUpperCase()
    .replace(/^0+(?=.)/, '');
  return SERIAL_PATTERN.test(hex) ? hex : undefined;
}

/** The normal form of a SHA-256 fingerprint, or undefined when it is not one. */
export function normalizeFingerprint(fingerprint: string): string | undefined {
  const hex = fingerprint.replace(separators, '').toUpperCase();
  return FINGERPRINT_PATTERN.test(hex) ? hex : undefined;
}
