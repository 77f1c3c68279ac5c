import { normalizeFingerprint, normalizeSerial } from './normal-form.js';

describe('certificate normal forms', () => {
  it('spells a serial one way whatever the tool showed: colons, case and DER leading zeros removed', () => {
    expect(normalizeSerial('00:8f:1a')).toBe('8F1A');
    expect(normalizeSerial('8F1A')).toBe('8F1A');
    expect(normalizeSerial('0A')).toBe('A');
    expect(normalizeSerial('00')).toBe('0');
  });

  it('refuses a serial that is not hex or longer than 20 octets', () => {
    expect(normalizeSerial('xyz')).toBeUndefined();
    expect(normalizeSerial('')).toBeUndefined();
    expect(normalizeSerial('1'.repeat(41))).toBeUndefined();
  });

  it("accepts Node's colon-separated fingerprint256 and only 32-byte digests", () => {
    const hex = 'ab'.repeat(32);
    expect(normalizeFingerprint(hex.match(/../g)!.join(':'))).toBe(hex.toUpperCase());
    expect(normalizeFingerprint('ab'.repeat(20))).toBeUndefined();
  });
});
