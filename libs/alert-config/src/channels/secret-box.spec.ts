import { randomBytes } from 'node:crypto';
import { openSecret, sealSecret, SecretUnavailableError, storeSecret } from './secret-box.js';

describe('channel secrets at rest', () => {
  const key = randomBytes(32);

  it('seals with AES-256-GCM: the stored form does not contain the secret, and opens only with the key and context it was sealed for', () => {
    const sealed = sealSecret(key, 'https://hooks.slack.com/services/T0/B0/xyz', 'beijing/slack-ops/url');
    expect(JSON.stringify(sealed)).not.toContain('hooks.slack.com');
    expect(openSecret(sealed, key, 'beijing/slack-ops/url')).toBe('https://hooks.slack.com/services/T0/B0/xyz');
    expect(() => openSecret(sealed, randomBytes(32), 'beijing/slack-ops/url')).toThrow(SecretUnavailableError);
    expect(() => openSecret(sealed, key, 'tianjin/slack-ops/url')).toThrow(SecretUnavailableError);
    expect(() => openSecret(sealed, undefined, 'beijing/slack-ops/url')).toThrow(/CP_SECRETS_KEY/);
  });

  it('uses a fresh IV per secret, and refuses a tampered ciphertext', () => {
    const a = sealSecret(key, 'same', 'c') as { sealed: string };
    const b = sealSecret(key, 'same', 'c') as { sealed: string };
    expect(a.sealed).not.toBe(b.sealed);
    const raw = Buffer.from(a.sealed.slice(3), 'base64url');
    raw[raw.length - 1] ^= 1;
    expect(() => openSecret({ sealed: `v1:${raw.toString('base64url')}` }, key, 'c')).toThrow(SecretUnavailableError);
  });

  it('keeps references to CP_CHANNEL_SECRET_* variables, resolved at delivery, and seals any other value', () => {
    expect(storeSecret('env:CP_CHANNEL_SECRET_SMTP', key, 'c')).toEqual({ ref: 'env:CP_CHANNEL_SECRET_SMTP' });
    expect(openSecret({ ref: 'env:CP_CHANNEL_SECRET_SMTP' }, undefined, 'c', { CP_CHANNEL_SECRET_SMTP: 'pw' })).toBe(
      'pw',
    );
    expect(() => openSecret({ ref: 'env:CP_CHANNEL_SECRET_SMTP' }, undefined, 'c', {})).toThrow(/not set/);
    // Any other variable is not a reference but a literal secret: CP_API_TOKEN cannot be pointed at.
    expect(storeSecret('env:CP_API_TOKEN', key, 'c')).toHaveProperty('sealed');
    expect(() => storeSecret('literal', undefined, 'c')).toThrow(/CP_SECRETS_KEY/);
  });
});
