import { OfflineBuffer } from './offline-buffer.js';

describe('OfflineBuffer', () => {
  it('hands items back oldest first', () => {
    const buffer = new OfflineBuffer<number>(10);
    for (const n of [1, 2, 3, 4]) buffer.push(n);
    expect(buffer.take(3)).toEqual([1, 2, 3]);
    expect(buffer.take(3)).toEqual([4]);
    expect(buffer.length).toBe(0);
  });

  it('drops the oldest items when full and counts them', () => {
    const buffer = new OfflineBuffer<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => buffer.push(n));
    expect(dropped).toEqual([0, 0, 0, 1, 1]);
    expect(buffer.dropped).toBe(2);
    expect(buffer.take(10)).toEqual([3, 4, 5]);
  });

  it('puts unacknowledged items back in front of newer ones, in their order', () => {
    const buffer = new OfflineBuffer<number>(10);
    for (const n of [1, 2, 3, 4, 5]) buffer.push(n);
    const inFlight = buffer.take(2);
    buffer.push(6);
    buffer.returnToFront(inFlight);
    expect(buffer.take(10)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops the oldest when the returned items no longer fit', () => {
    const buffer = new OfflineBuffer<number>(3);
    for (const n of [1, 2, 3]) buffer.push(n);
    const inFlight = buffer.take(2);
    buffer.push(4);
    buffer.push(5);
    expect(buffer.returnToFront(inFlight)).toBe(2);
    expect(buffer.take(10)).toEqual([3, 4, 5]);
    expect(buffer.dropped).toBe(2);
  });

  it('stays correct across many pushes and takes (internal compaction)', () => {
    const buffer = new OfflineBuffer<number>(1000);
    const out: number[] = [];
    for (let n = 0; n < 10_000; n++) {
      buffer.push(n);
      if (n % 3 === 0) out.push(...buffer.take(2));
    }
    out.push(...buffer.take(100_000));
    expect(out.every((n, i) => i === 0 || n > out[i - 1])).toBe(true);
    expect(out.at(-1)).toBe(9_999);
    expect(out.length + buffer.dropped).toBe(10_000);
  });

  it('refuses a capacity below one', () => {
    expect(() => new OfflineBuffer(0)).toThrow(/at least one/);
  });
});
