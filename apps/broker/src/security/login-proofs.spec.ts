import type { DeviceRecord } from '@citypulse/registry';
import { proofOf } from './login-proofs.js';

const device: DeviceRecord = {
  id: 'bj-1',
  type: 'env-sensor',
  city: 'beijing',
  site: 'bj-1',
  secretHash: 'scrypt$1024$8$1$c2FsdA$aGFzaA',
  credentialVersion: 1,
  revoked: false,
  createdAt: '2026-01-01T00:00:00Z',
};

describe('proofOf', () => {
  it('is the same for the same device, credentials and secret', () => {
    expect(proofOf(device, 's3cret').equals(proofOf({ ...device }, 's3cret'))).toBe(true);
    expect(proofOf(device, 's3cret')).toHaveLength(16);
  });

  it('changes with the secret, the credential version, the stored hash and the device id', () => {
    const proof = proofOf(device, 's3cret');
    for (const other of [
      proofOf(device, 's3cret2'),
      proofOf({ ...device, credentialVersion: 2 }, 's3cret'),
      proofOf({ ...device, secretHash: 'scrypt$1024$8$1$b3RoZXI$aGFzaA' }, 's3cret'),
      proofOf({ ...device, id: 'bj-2' }, 's3cret'),
    ]) {
      expect(other.equals(proof)).toBe(false);
    }
  });
});
