import type { X509Certificate } from 'node:crypto';
import type { DeviceCas } from './device-cas.js';

/** A client certificate as the TLS socket gives it. */
export interface PresentedCertificate {
  /** Leaf first, then the issuers the peer sent (getPeerCertificate(true)'s issuerCertificate links). */
  chain: readonly X509Certificate[];
  /** `socket.authorized`: OpenSSL verified the chain to one of the configured device CAs (and its dates). */
  authorized: boolean;
}

/** Why a certificate login is refused; the label of citypulse_mqtt_auth_failures_total. */
export type CertificateRefusalReason =
  'cert_untrusted' | 'cert_expired' | 'cert_not_yet_valid' | 'cert_wrong_city' | 'cert_cn_mismatch' | 'cert_revoked';

export interface CertificateRefusal {
  refused: CertificateRefusalReason;
  message: string;
}

/** What a presented certificate says about who holds it. */
export interface CertificateIdentity {
  /** Subject CN and every DNS and URI subject alternative name: one must be the device id. */
  names: string[];
  /**
   * The configured CA that issued it, once its chain verified: `city` null for a CA of every city.
   * Null when the chain did not verify (self-signed, or another issuer): then only a fingerprint
   * registered for the device vouches for it.
   */
  issuer: { city: string | null } | null;
  /** Upper-case hex, as X509Certificate.serialNumber. */
  serial: string;
  /** SHA-256 of the DER, colon-separated upper-case hex (X509Certificate.fingerprint256). */
  fingerprint256: string;
  validFrom: Date;
  validTo: Date;
}

/**
 * Reads a presented certificate: its validity dates (checked here, so a certificate known only by
 * a registered fingerprint is held to them too), the names it may log in as, and which city's CA
 * issued it. Pure: the caller adds what needs Redis (revoked serials, registered fingerprints).
 */
export function identifyCertificate(
  presented: PresentedCertificate,
  cas: DeviceCas,
  now = new Date(),
): CertificateIdentity | CertificateRefusal {
  const leaf = presented.chain[0];
  if (!leaf) return { refused: 'cert_untrusted', message: 'no client certificate' };
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  if (now < validFrom)
    return { refused: 'cert_not_yet_valid', message: `certificate valid only from ${validFrom.toISOString()}` };
  if (now > validTo) return { refused: 'cert_expired', message: `certificate expired at ${validTo.toISOString()}` };
  const ca = presented.authorized ? cas.issuerOf(presented.chain) : undefined;
  return {
    names: certificateNames(leaf),
    issuer: ca ? { city: ca.city } : null,
    serial: leaf.serialNumber.toUpperCase(),
    fingerprint256: leaf.fingerprint256,
    validFrom,
    validTo,
  };
}

/**
 * Whether a certificate identified above may log in as `device`: registered for it by fingerprint
 * (`registeredTo`: the device its fingerprint belongs to), or issued by the device's own city's CA
 * (or a CA of every city) with the device id among its names.
 */
export function matchDevice(
  identity: CertificateIdentity,
  device: { id: string; city: string },
  registeredTo: string | null = null,
): CertificateRefusal | null {
  // Registered for this very device through the API: its fingerprint is the trust, whatever it names.
  if (registeredTo === device.id) return null;
  if (!identity.issuer)
    return {
      refused: 'cert_untrusted',
      message: 'client certificate not issued by a device CA of this service, nor registered for this device',
    };
  if (!identity.names.includes(device.id))
    return {
      refused: 'cert_cn_mismatch',
      message: `certificate names ${identity.names.join(', ') || 'nothing'}, not ${device.id}`,
    };
  if (identity.issuer && identity.issuer.city !== null && identity.issuer.city !== device.city) {
    return { refused: 'cert_wrong_city', message: "certificate issued by another city's CA" };
  }
  return null;
}

/** CN (every CN attribute) plus DNS and URI subject alternative names. */
export function certificateNames(certificate: X509Certificate): string[] {
  const names: string[] = [];
  for (const line of certificate.subject.split('\n')) {
    if (line.startsWith('CN=')) names.push(line.slice(3));
  }
  for (const entry of splitAltNames(certificate.subjectAltName ?? '')) {
    const match = /^(DNS|URI):(.*)$/.exec(entry);
    if (match) names.push(unquote(match[2]));
  }
  return [...new Set(names)];
}

/** Node lists SANs as `DNS:a, URI:b`, quoting a value (JSON-style) that holds a comma or quote. */
function splitAltNames(text: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' && text[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && c === ',' && text[i + 1] === ' ') {
      entries.push(current);
      current = '';
      i++;
      continue;
    }
    current += c;
  }
  if (current) entries.push(current);
  return entries;
}

function unquote(value: string): string {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value) as string;
  } catch {
    return value;
  }
}
