import { scaledToShare } from './linger.js';

describe('scaledToShare', () => {
  it('keeps the wait of a process holding every partition', () => {
    expect(scaledToShare(200, { partitions: 16, held: 16, maxMs: 1000 })).toBe(200);
  });

  it('waits as many times longer as the share is smaller', () => {
    expect(scaledToShare(200, { partitions: 16, held: 8, maxMs: 1000 })).toBe(400);
    expect(scaledToShare(200, { partitions: 16, held: 6, maxMs: 1000 })).toBeCloseTo(533.33, 1);
  });

  it('never waits longer than the maximum', () => {
    expect(scaledToShare(200, { partitions: 16, held: 1, maxMs: 1000 })).toBe(1000);
  });

  it('does not scale when the maximum is not above the wait, or nothing is held', () => {
    expect(scaledToShare(200, { partitions: 16, held: 4, maxMs: 200 })).toBe(200);
    expect(scaledToShare(200, { partitions: 16, held: 4, maxMs: 100 })).toBe(200);
    expect(scaledToShare(200, { partitions: 16, held: 0, maxMs: 1000 })).toBe(200);
  });
});
