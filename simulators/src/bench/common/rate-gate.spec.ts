import { RateGate } from './rate-gate.js';

describe('RateGate', () => {
  it('lets through what the rate has earned so far and no more', () => {
    let now = 0;
    const gate = new RateGate(1000, 1, () => now);
    now = 10; // 10 readings earned
    let taken = 0;
    while (gate.take(1)) taken++;
    expect(taken).toBe(10);
    now = 15;
    expect(gate.take(5)).toBe(true);
    expect(gate.take(1)).toBe(false);
  });

  it('keeps at most the burst allowance after a stall', () => {
    let now = 0;
    const gate = new RateGate(1000, 0.05, () => now);
    now = 10_000; // a 10 s stall earns 10,000, but only 50 (50 ms) may be spent at once
    let taken = 0;
    while (gate.take(1)) taken++;
    expect(taken).toBe(50);
  });

  it('lets a batch larger than the burst through once it is earned', () => {
    let now = 0;
    const gate = new RateGate(100, 0.05, () => now); // burst 5
    now = 100; // 10 earned
    expect(gate.take(10)).toBe(true);
  });
});
