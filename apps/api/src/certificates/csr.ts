import { x509 } from './x509.js';

export type CsrCheck = { csr: x509.Pkcs10CertificateRequest } | { problem: string };

/**
 * A device's PEM certificate signing request, if it parses and its self-signature verifies (the
 * requester holds the private key of the public key it asks us to certify — PKCS #10, RFC 2986
 * §3). Only that public key is used: the subject and requested extensions are the device's
 * wishes, and the server decides the identity.
 */
export async function checkCsr(pem: string): Promise<CsrCheck> {
  if (!/-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(pem))
    return { problem: 'must be a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)' };
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem);
  } catch {
    return { problem: 'is not a well-formed PKCS #10 certificate signing request' };
  }
  try {
    if (!(await csr.verify()))
      return { problem: 'signature does not verify: the request was altered or not signed with its own key' };
  } catch (err) {
    return { problem: `signature cannot be checked (${(err as Error).message}); use an EC P-256/P-384 or RSA key` };
  }
  return { csr };
}
