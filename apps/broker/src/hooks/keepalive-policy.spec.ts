import { effectiveKeepaliveS } from './keepalive-policy.js';

describe('the keep-alive the broker holds a connection to', () => {
  it('keeps what the client asked when it is within the maximum', () => {
    expect(effectiveKeepaliveS(1, 300)).toBe(1);
    expect(effectiveKeepaliveS(60, 300)).toBe(60);
    expect(effectiveKeepaliveS(300, 300)).toBe(300);
  });

  it('turns 0 (never time out) and a missing value into the maximum', () => {
    expect(effectiveKeepaliveS(0, 300)).toBe(300);
    expect(effectiveKeepaliveS(undefined, 120)).toBe(120);
  });

  it('lowers anything above the maximum to it, up to the 16-bit MQTT ceiling', () => {
    expect(effectiveKeepaliveS(301, 300)).toBe(300);
    expect(effectiveKeepaliveS(65_535, 2)).toBe(2);
  });
});
