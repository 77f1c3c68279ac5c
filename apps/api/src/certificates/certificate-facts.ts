import { X509Certificate } from 'node:crypto';
import { normalizeFingerprint, normalizeSerial, type NewCertificate } from '@citypulse/certificates';

/** What the store keeps of a certificate, read from it (Node's own X.509 parser). */
export type CertificateFacts = Pick<
  NewCertificate,
  'fingerprint' | 'serial' | 'subject' | 'issuer' | 'notBefore' | 'notAfter'
>;

export type FactsCheck = { facts: CertificateFacts } | { problem: string };

/** A PEM certificate's fingerprint, serial, names and validity; a problem if it is not a current one. */
export function certificateFacts(pem: string, now = new Date()): FactsCheck {
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    return { problem: 'must be a PEM certificate (-----BEGIN CERTIFICATE-----)' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return { problem: 'is not a well-formed X.509 certificate' };
  }
  if (cert.ca) return { problem: 'is a CA certificate, not a device certificate' };
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() <= now.getTime()) return { problem: `expired on ${notAfter.toISOString()}` };
  return { facts: factsOf(cert) };
}

export function factsOf(cert: X509Certificate): CertificateFacts {
  return {
    fingerprint: normalizeFingerprint(cert.fingerprint256) as string,
    serial: normalizeSerial(cert.serialNumber),
    // Node separates RDNs with newlines; one line reads better in a listing.
    subject: cert.subject.split('\n').join(', '),
    issuer: cert.issuer.split('\n').join(', '),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
  };
}
