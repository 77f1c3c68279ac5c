import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { SignatureVerifier } from './signature.js';

/** Feeds an image in chunks, as an upload arrives, and judges the signature at the end. */
function check(verifier: SignatureVerifier, image: Buffer, signature: Buffer): boolean {
  const running = verifier.start();
  for (let i = 0; i < image.length; i += 1000) running.update(image.subarray(i, i + 1000));
  return running.verify(createHash('sha256').update(image).digest(), signature);
}

describe('SignatureVerifier', () => {
  const image = randomBytes(5000);
  const digest = createHash('sha256').update(image).digest();

  it('checks Ed25519 signatures of the image’s SHA-256 digest', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const verifier = new SignatureVerifier(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(check(verifier, image, sign(null, digest, privateKey))).toBe(true);
    expect(check(verifier, image, sign(null, image, privateKey))).toBe(false);
    expect(check(verifier, Buffer.concat([image, Buffer.from('x')]), sign(null, digest, privateKey))).toBe(false);
  });

  it('checks ECDSA signatures of the image with SHA-256 (openssl dgst -sha256 -sign), streamed', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const verifier = new SignatureVerifier(publicKey.export({ type: 'spki', format: 'pem' }));
    expect(check(verifier, image, sign('sha256', image, privateKey))).toBe(true);
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(check(verifier, image, sign('sha256', image, other))).toBe(false);
    expect(check(verifier, image, Buffer.from('not DER'))).toBe(false);
  });

  it('refuses a key it cannot check image signatures with', () => {
    const { publicKey } = generateKeyPairSync('x25519');
    expect(() => new SignatureVerifier(publicKey.export({ type: 'spki', format: 'pem' }))).toThrow(
      /Ed25519, ECDSA or RSA/,
    );
  });
});
