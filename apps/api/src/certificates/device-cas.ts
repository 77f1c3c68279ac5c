import { createPrivateKey, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DeviceCaFile } from '@citypulse/config';
import { x509 } from './x509.js';

/**
 * Node's webcrypto CryptoKey. @peculiar/x509 declares the DOM's CryptoKey, which this program's libs
 * (ES2023, no DOM) do not have, so its own name for the type resolves to nothing; the object is the same.
 */
type SigningKey = webcrypto.CryptoKey;
type SigningAlgorithm = webcrypto.RsaHashedImportParams | (webcrypto.EcKeyImportParams & { hash: string });

/** A device CA the API signs with: its certificate and its private key, loaded from files at boot. */
export interface SigningCa {
  city: string | null;
  cert: x509.X509Certificate;
  key: SigningKey;
  algorithm: SigningAlgorithm;
}

export class DeviceCaConfigError extends Error {}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Loads each city's device CA certificate with its private key (CA keys are read from the
 * configured files only, never stored elsewhere; config checked that both lists name the same
 * cities). A CA file may hold several certificates (a CA rollover): the one the key belongs to
 * signs. Refuses at boot, naming the files, a key that belongs to none of them.
 */
export async function loadSigningCas(certs: DeviceCaFile[], keys: DeviceCaFile[]): Promise<SigningCa[]> {
  return Promise.all(
    keys.map(async (keyFile) => {
      const certFile = certs.find((c) => c.city === keyFile.city);
      if (!certFile)
        throw new DeviceCaConfigError(
          `CP_DEVICE_CA_KEY ${keyFile.file}: CP_MQTT_TLS_CA has no CA for ${keyFile.city ?? 'every city'}`,
        );
      const privateKey = await readKey(keyFile.file);
      const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
      const pems = (await readFile(certFile.file, 'utf8')).match(PEM_CERTIFICATE) ?? [];
      const cert = pems
        .map((pem) => new x509.X509Certificate(pem))
        .find((c) => Buffer.from(c.publicKey.rawData).equals(spki));
      if (!cert)
        throw new DeviceCaConfigError(
          `CP_DEVICE_CA_KEY ${keyFile.file} is the key of no CA certificate in ${certFile.file}`,
        );
      const algorithm = signingAlgorithm(privateKey, keyFile.file);
      const key = await webcrypto.subtle.importKey(
        'pkcs8',
        privateKey.export({ format: 'der', type: 'pkcs8' }),
        algorithm,
        false,
        ['sign'],
      );
      return { city: keyFile.city, cert, key, algorithm };
    }),
  );
}

/**
 * An unencrypted PEM or DER private key; a problem names the file (a passphrase-protected key cannot be used
 * unattended).
 */
async function readKey(file: string): Promise<KeyObject> {
  try {
    return createPrivateKey(await readFile(file));
  } catch (err) {
    throw new DeviceCaConfigError(
      `CP_DEVICE_CA_KEY ${file}: not a readable, unencrypted private key (${(err as Error).message})`,
    );
  }
}

/** The CA that signs for `city`: its own, else the one of every city. */
export function caFor(cas: readonly SigningCa[], city: string): SigningCa | undefined {
  return cas.find((ca) => ca.city === city) ?? cas.find((ca) => ca.city === null);
}

const EC_HASH: Record<string, string> = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' };
const NODE_CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

function signingAlgorithm(key: KeyObject, file: string): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const curve = NODE_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (key.asymmetricKeyType === 'ec' && curve) return { name: 'ECDSA', namedCurve: curve, hash: EC_HASH[curve] };
  throw new DeviceCaConfigError(
    `${file}: a device CA key must be RSA or EC P-256/P-384/P-521, not ${key.asymmetricKeyType}`,
  );
}

/** What the API puts in a device certificate: the device decides nothing but its key. */
export interface DeviceCertificateRequest {
  deviceId: string;
  publicKey: x509.PublicKey;
  validityDays: number;
  now?: Date;
}

/**
 * Signs a client certificate for one device: subject CN = device id and the same id as a DNS SAN
 * (the broker accepts either), TLS client authentication only, a random 128-bit serial, valid
 * from one minute ago (devices' clocks drift) for `validityDays`.
 */
export async function signDeviceCertificate(
  ca: SigningCa,
  request: DeviceCertificateRequest,
): Promise<x509.X509Certificate> {
  const now = request.now ?? new Date();
  return x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(16).toString('hex'),
    subject: [{ CN: [request.deviceId] }],
    // The CA's own encoded name, so chain building matches it byte for byte.
    issuer: ca.cert.subjectName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + request.validityDays * 86_400_000),
    signingAlgorithm: ca.algorithm,
    publicKey: request.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: request.deviceId }]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
    ],
  });
}
