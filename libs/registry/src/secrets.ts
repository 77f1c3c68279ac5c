import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Device secrets are stored only as scrypt hashes (node:crypto: no native add-on).
 * Format: `scrypt$N$r$p$salt$hash` (base64url): each hash carries its own parameters, so the cost
 * can differ per device (bulk-issued secrets are cheaper) and be raised later without
 * invalidating stored hashes.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** The cost of a secret issued one at a time. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;
/** node's default maxmem (32 MiB) refuses N ≥ 32768 at r=8. */
const MAX_MEMORY = 256 * 1024 * 1024;

function scryptAsync(secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: MAX_MEMORY };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** A fresh random secret (192 bits by default), shown to the device owner once. */
export function generateSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(secret, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * Hashes many secrets with `concurrency` of them in flight: scrypt runs on libuv's threadpool
 * (4 threads unless UV_THREADPOOL_SIZE says otherwise), so this uses every core without blocking
 * the event loop, and the order of the results matches the input.
 */
export async function hashSecrets(
  secrets: readonly string[],
  params: ScryptParams,
  concurrency = 4,
): Promise<string[]> {
  const hashes = new Array<string>(secrets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < secrets.length; i = next++) hashes[i] = await hashSecret(secrets[i], params);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, secrets.length) }, worker));
  return hashes;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The parameters a stored hash was made with, or undefined for something that is not one. */
export function hashParams(stored: string): ScryptParams | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  return { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
}
