import { ReceiveClock, deviceTimeNs } from './receive-clock.js';

describe('ReceiveClock', () => {
  it('gives distinct, increasing times to readings received in the same millisecond', () => {
    const clock = new ReceiveClock(() => 1_700_000_000_123);
    const times = [clock.nextNs(), clock.nextNs(), clock.nextNs()];
    expect(times).toEqual(['1700000000123000000', '1700000000123000001', '1700000000123000002']);
  });

  it('never goes backwards when the wall clock does', () => {
    let now = 1_700_000_000_500;
    const clock = new ReceiveClock(() => now);
    const first = clock.nextNs();
    now -= 100;
    const second = clock.nextNs();
    expect(BigInt(second)).toBeGreaterThan(BigInt(first));
  });

  it('restarts the sequence when the millisecond advances', () => {
    let now = 1_700_000_000_000;
    const clock = new ReceiveClock(() => now);
    clock.nextNs();
    now += 1;
    expect(clock.nextNs()).toBe('1700000000001000000');
  });
});

describe('deviceTimeNs', () => {
  it('converts epoch milliseconds to nanoseconds, keeping microseconds of fractional SenML times', () => {
    expect(deviceTimeNs(1_700_000_000_123)).toBe('1700000000123000000');
    expect(deviceTimeNs(1_700_000_000_123.456)).toBe('1700000000123456000');
  });
});
