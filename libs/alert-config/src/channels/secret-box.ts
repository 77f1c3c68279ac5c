import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * A channel secret at rest: sealed with AES-256-GCM under CP_SECRETS_KEY, or a reference to an
 * environment variable of the alerts process (`env:CP_CHANNEL_SECRET_…`), resolved at delivery.
 */
export type StoredSecret = { sealed: string } | { ref: string };

/** Only these variables may be referenced: a city admin must not be able to point a channel at CP_API_TOKEN. */
export const SECRET_REF_PATTERN = /^env:CP_CHANNEL_SECRET_[A-Z0-9_]{1,64}$/;

const VERSION = 'v1';

/** Thrown when a secret cannot be opened (wrong key, tampered, or bound to another channel). */
export class SecretUnavailableError extends Error {}

/**
 * Seals `plaintext` with AES-256-GCM: a random 96-bit IV per secret, the 128-bit tag checked on
 * opening. `context` (city/channel/field) is authenticated as associated data, so a sealed value
 * copied into another channel's record does not open there.
 */
export function sealSecret(key: Buffer, plaintext: string, context: string): StoredSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { sealed: `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}` };
}

/** The plaintext of a stored secret; `env` resolves references (the alerts process's environment). */
export function openSecret(
  secret: StoredSecret,
  key: Buffer | undefined,
  context: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if ('ref' in secret) {
    const value = env[secret.ref.slice('env:'.length)];
    if (value === undefined || value === '')
      throw new SecretUnavailableError(`${secret.ref} is not set in the alerts process`);
    return value;
  }
  if (!key) throw new SecretUnavailableError('CP_SECRETS_KEY is not set: sealed channel secrets cannot be opened');
  const [version, packed] = secret.sealed.split(':');
  if (version !== VERSION || !packed) throw new SecretUnavailableError('unknown sealed secret format');
  const raw = Buffer.from(packed, 'base64url');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretUnavailableError(
      'sealed secret does not open with CP_SECRETS_KEY (key changed, or the value was tampered with)',
    );
  }
}

/** A secret as given to the API: a reference is kept as such, anything else is sealed (needs a key). */
export function storeSecret(given: string, key: Buffer | undefined, context: string): StoredSecret {
  if (SECRET_REF_PATTERN.test(given)) return { ref: given };
  if (!key)
    throw new SecretUnavailableError(
      'CP_SECRETS_KEY is not set: give the secret as a reference (env:CP_CHANNEL_SECRET_…) or configure the key',
    );
  return sealSecret(key, given, context);
}
