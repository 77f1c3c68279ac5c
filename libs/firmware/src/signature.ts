import { createPublicKey, createVerify, verify, type KeyObject } from 'node:crypto';

/**
 * Checks detached image signatures against one public key, fed the image while it streams in:
 *
 * - ECDSA and RSA keys: the signature of the image with SHA-256
 *   (`openssl dgst -sha256 -sign key.pem -out image.sig image.bin`);
 * - Ed25519 keys: the signature of the image's 32-byte SHA-256 digest (Ed25519 signs whole
 *   messages, and an image is not held in memory:
 *   `openssl dgst -sha256 -binary image.bin > image.sha256 && openssl pkeyutl -sign -rawin -inkey key.pem -in
 * image.sha256 -out image.sig`).
 *
 * Either way the signature binds the image's SHA-256, which is also what devices check.
 */
export class SignatureVerifier {
  private readonly key: KeyObject;

  constructor(publicKeyPem: string | Buffer) {
    this.key = createPublicKey(publicKeyPem);
    const type = this.key.asymmetricKeyType;
    if (type !== 'ed25519' && type !== 'ec' && type !== 'rsa' && type !== 'rsa-pss') {
      throw new Error(`firmware signing key must be Ed25519, ECDSA or RSA; got ${type}`);
    }
  }

  get keyType(): string {
    return this.key.asymmetricKeyType ?? 'unknown';
  }

  /** A check fed the image's bytes in order; `verify` takes the finished SHA-256 digest and the signature. */
  start(): ImageSignatureCheck {
    if (this.key.asymmetricKeyType === 'ed25519') {
      return {
        update: () => undefined,
        verify: (digest, signature) => safely(() => verify(null, digest, this.key, signature)),
      };
    }
    const streaming = createVerify('sha256');
    return {
      update: (chunk) => void streaming.update(chunk),
      verify: (_digest, signature) => safely(() => streaming.verify(this.key, signature)),
    };
  }
}

export interface ImageSignatureCheck {
  update(chunk: Buffer): void;
  verify(sha256Digest: Buffer, signature: Buffer): boolean;
}

/** A malformed signature (wrong length, bad DER) is a failed check, not a server error. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
