import { generateSecret, hashParams, hashSecret, hashSecrets, verifySecret } from './secrets.js';

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

  it('records the cost parameters in the hash, so cheaper bulk hashes verify alongside default ones', async () => {
    const cheap = await hashSecret('bulk-secret', { N: 1024, r: 8, p: 1 });
    expect(cheap.startsWith('scrypt$1024$8$1$')).toBe(true);
    expect(hashParams(cheap)).toEqual({ N: 1024, r: 8, p: 1 });
    expect(await verifySecret('bulk-secret', cheap)).toBe(true);
    expect(await verifySecret('bulk-secreT', cheap)).toBe(false);
  });

  it('hashes many secrets concurrently, each result at its input position', async () => {
    const secrets = Array.from({ length: 9 }, () => generateSecret());
    const hashes = await hashSecrets(secrets, { N: 1024, r: 8, p: 1 }, 3);
    expect(hashes).toHaveLength(9);
    for (const [i, secret] of secrets.entries()) expect(await verifySecret(secret, hashes[i])).toBe(true);
    expect(await verifySecret(secrets[0], hashes[1])).toBe(false);
  });
});
