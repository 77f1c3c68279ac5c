/** Where a device certificate came from. */
export type CertificateSource =
  /** Signed by citypulse from the device's CSR with its city's device CA (POST /devices/:id/certificate). */
  | 'issued'
  /** Issued elsewhere and registered by its SHA-256 fingerprint (POST /devices/:id/certificates). */
  | 'registered';

/** A device certificate as stored and listed (never the certificate's key: citypulse never sees it). */
export interface CertificateRecord {
  deviceId: string;
  /** The device's city (it follows a moved device): whose lists show it, and where its serial's revocation is kept. */
  city: string;
  /** SHA-256 of the DER, normal form (normal-form.ts). */
  fingerprint: string;
  /** Normal form. Absent for a certificate registered by fingerprint only. */
  serial?: string;
  subject?: string;
  issuer?: string;
  /** ISO 8601. Absent for a certificate registered by fingerprint only. */
  notBefore?: string;
  notAfter?: string;
  source: CertificateSource;
  createdAt: string;
  /**
   * When the certificate stops being accepted (ISO 8601). May lie in the future: a rotation leaves
   * the previous certificate a grace period.
   */
  revokedAt?: string;
}

/** A record as the API lists it: `revoked` says whether `revokedAt` has passed. */
export interface CertificateView extends CertificateRecord {
  revoked: boolean;
}

export type NewCertificate = Omit<CertificateRecord, 'createdAt' | 'revokedAt'>;

export function viewOf(record: CertificateRecord, now = new Date()): CertificateView {
  return { ...record, revoked: record.revokedAt !== undefined && Date.parse(record.revokedAt) <= now.getTime() };
}

/** The fingerprint (or, for issued certificates, a serial) is already stored. */
export class CertificateExistsError extends Error {
  constructor(readonly fingerprints: string[]) {
    super(`certificate ${fingerprints.join(', ')} is already registered`);
  }
}
