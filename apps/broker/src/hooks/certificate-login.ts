import { X509Certificate } from 'node:crypto';
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import type { Client } from 'aedes';
import {
  identifyCertificate,
  matchDevice,
  type CertificateRefusal,
  type DeviceCas,
  type PresentedCertificate,
} from '@citypulse/certificates';

/**
 * The two questions a certificate login asks of the certificate store (DeviceCertificateStore), one Redis round trip
 * each.
 */
export interface CertificateChecks {
  isRevoked(city: string, serial: string): Promise<boolean>;
  fingerprintOwner(fingerprint256: string): Promise<string | null>;
}

/**
 * Device login by client certificate on the TLS and WSS listeners: a device whose certificate was issued
 * by its city's CA (CP_MQTT_TLS_CA) and names its id (CN, or a DNS/URI SAN), or whose
 * certificate's fingerprint was registered for it through the API, logs in without a secret.
 * A client that presents a certificate is judged by it alone (a password beside it is ignored),
 * so a refused certificate is never rescued by a guessed secret.
 */
export class CertificateLogin {
  constructor(
    /** The device CAs of the moment: they reload with the broker's certificate. */
    private readonly deviceCas: () => DeviceCas,
    private readonly store: CertificateChecks,
  ) {}

  /** The certificate a client presented on the TLS or WSS listener, or undefined (another transport, or none sent). */
  presented(client: Client): PresentedCertificate | undefined {
    const socket = tlsSocketOf(client);
    const peer = socket?.getPeerCertificate(true);
    if (!socket || !peer?.raw) return undefined;
    return { chain: chainOf(peer), authorized: socket.authorized };
  }

  /** Whether a connected client logged in over TLS with the certificate of this fingerprint (any spelling). */
  presentedFingerprint(client: Client, fingerprint: string): boolean {
    const leaf = this.presented(client)?.chain[0];
    const plain = (fp: string) => fp.replace(/[\s:]/g, '').toUpperCase();
    return leaf !== undefined && plain(leaf.fingerprint256) === plain(fingerprint);
  }

  /** Null when the certificate logs `device` in, else why not. */
  async verify(
    presented: PresentedCertificate,
    device: { id: string; city: string },
  ): Promise<CertificateRefusal | null> {
    const identity = identifyCertificate(presented, this.deviceCas());
    if ('refused' in identity) return identity;
    // Only a certificate no configured CA vouches for needs its fingerprint registered.
    const registeredTo = identity.issuer ? null : await this.store.fingerprintOwner(identity.fingerprint256);
    const mismatch = matchDevice(identity, device, registeredTo);
    if (mismatch) return mismatch;
    if (identity.issuer && (await this.store.isRevoked(identity.issuer.city ?? device.city, identity.serial))) {
      return { refused: 'cert_revoked', message: `certificate ${identity.serial} is revoked` };
    }
    return null;
  }
}

/**
 * The TLS socket under a client: its connection on the TLS listener; over WSS the connection is a
 * WebSocket stream, and the TLS socket is that of the HTTPS upgrade request aedes keeps as `req`.
 */
function tlsSocketOf(client: Client): TLSSocket | undefined {
  const conn = client.conn as unknown;
  if (conn instanceof TLSSocket) return conn;
  const socket = client.req?.socket;
  return socket instanceof TLSSocket ? socket : undefined;
}

/** Leaf first, then its issuers as the TLS stack reports them, up to a self-signed one. */
function chainOf(peer: DetailedPeerCertificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (
    let cert: DetailedPeerCertificate | undefined = peer;
    cert?.raw && !seen.has(cert.fingerprint256);
    cert = cert.issuerCertificate
  ) {
    seen.add(cert.fingerprint256);
    chain.push(new X509Certificate(cert.raw));
  }
  return chain;
}
