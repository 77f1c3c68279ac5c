import { PartitionHolds } from './partition-holds.js';

describe('PartitionHolds', () => {
  it('knows which partitions were held without a break since a time', () => {
    const holds = new PartitionHolds();
    holds.held(0, 'tok', 1000);
    holds.held(1, 'tok', 5000);
    holds.held(2, 'tok', 1000);
    expect(holds.heldSince(4000)).toEqual([
      { partition: 0, token: 'tok' },
      { partition: 2, token: 'tok' },
    ]);
    // Partition 2 read again at 6000; partition 0 lost.
    holds.redelivered(2, 6000);
    holds.released(0);
    expect(holds.heldSince(5500)).toEqual([{ partition: 1, token: 'tok' }]);
    expect(holds.heldSince(6000).map((h) => h.partition)).toEqual([1, 2]);
  });

  it('ignores a redelivery of a partition not held', () => {
    const holds = new PartitionHolds();
    holds.redelivered(4, 1000);
    expect(holds.heldSince(Number.POSITIVE_INFINITY)).toEqual([]);
  });
});
