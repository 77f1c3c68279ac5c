import { Outbox } from './outbox.js';

describe('Outbox', () => {
  it('publishes in batches of at most maxBatch, with at most maxInFlight unacknowledged', () => {
    const outbox = new Outbox<number>(100, 2, 3);
    for (let n = 1; n <= 8; n++) outbox.add(n);
    const first = outbox.next()!;
    const second = outbox.next()!;
    expect([first.items, second.items]).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(outbox.next()).toBeUndefined();
    expect(outbox.acknowledged(first.id)).toEqual([1, 2, 3]);
    expect(outbox.next()!.items).toEqual([7, 8]);
  });

  it('sends everything unacknowledged again after the connection drops, oldest first, before newer items', () => {
    const outbox = new Outbox<number>(100, 4, 2);
    for (let n = 1; n <= 5; n++) outbox.add(n);
    const a = outbox.next()!;
    outbox.next();
    outbox.acknowledged(a.id);
    outbox.add(6);
    expect(outbox.connectionLost()).toBe(0);
    const resent: number[] = [];
    for (let batch = outbox.next(); batch; batch = outbox.next()) resent.push(...batch.items);
    expect(resent).toEqual([3, 4, 5, 6]);
  });

  it('ignores a PUBACK for a batch already given back after a drop', () => {
    const outbox = new Outbox<number>(100, 4, 2);
    outbox.add(1);
    const batch = outbox.next()!;
    outbox.connectionLost();
    expect(outbox.acknowledged(batch.id)).toEqual([]);
    expect(outbox.queued).toBe(1);
  });

  it('keeps the newest items when more arrive offline than it holds, and counts the dropped ones', () => {
    const outbox = new Outbox<number>(3, 1, 1);
    for (let n = 1; n <= 5; n++) outbox.add(n);
    expect(outbox.dropped).toBe(2);
    expect([outbox.next()!.items, outbox.queued, outbox.inFlightItems]).toEqual([[3], 2, 1]);
    expect(outbox.isEmpty).toBe(false);
  });
});
