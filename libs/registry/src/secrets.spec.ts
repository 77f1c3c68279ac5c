import { generateSecret, hashSecret, verifySecret } from './secrets.js';

describe('device secrets', () => {
  it('verifies the secret that was hashed and nothing else', async () => {
    const secret = generateSecret();
    const stored = await hashSecret(secret);
    expect(stored).not.toContain(secret);
    expect(await verifySecret(secret, stored)).toBe(true);
    expect(await verifySecret(secret + 'x', stored)).toBe(false);
    expect(await verifySecret('', stored)).toBe(false);
  });

  it('salts every hash so equal secrets do not share a stored value', async () => {
    const a = await hashSecret('same-secret');
    const b = await hashSecret('same-secret');
    expect(a).not.toEqual(b);
  });

  it('rejects a stored value that is not a scrypt hash', async () => {
    expect(await verifySecret('x', 'plain-text')).toBe(false);
  });
});
