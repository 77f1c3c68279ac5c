import { partitionOf } from './partition.js';
import { fairShare, partitionsToRelease, partitionsToTry, startingPartition } from './fair-share.js';
import { BacklogEstimate } from './backlog.js';

describe('partitionOf', () => {
  it('is FNV-1a of the device id modulo the partition count, the same in every process', () => {
    // FNV-1a 32 of "" is 0x811c9dc5 (2166136261), of "a" 0xe40c292c (3826002220): published test vectors.
    expect(partitionOf('', 1_000_000_007)).toBe(2166136261 % 1_000_000_007);
    expect(partitionOf('a', 1_000_000_007)).toBe(3826002220 % 1_000_000_007);
    expect(partitionOf('meter-0001', 16)).toBe(partitionOf('meter-0001', 16));
    expect(partitionOf('anything', 1)).toBe(0);
  });

  it('spreads many device ids evenly over the partitions', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[partitionOf(`tianjin-electricity-meter-${i}`, 16)]++;
    for (const n of counts) expect(Math.abs(n - 1000)).toBeLessThan(150);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => partitionOf('m1', 0)).toThrow(/positive integer, got 0/);
    expect(() => partitionOf('m1', 2.5)).toThrow(/positive integer/);
  });
});

describe('fair share of partitions', () => {
  it('is ceil(P / live), one process holding everything when alone', () => {
    expect(fairShare(16, 1)).toBe(16);
    expect(fairShare(16, 2)).toBe(8);
    expect(fairShare(16, 3)).toBe(6);
    expect(fairShare(16, 0)).toBe(16);
    expect(fairShare(4, 8)).toBe(1);
  });

  it('releases the highest-numbered extras above the share', () => {
    expect(partitionsToRelease([3, 0, 7, 5, 1], 3)).toEqual([7, 5]);
    expect(partitionsToRelease([1, 2], 2)).toEqual([]);
  });

  it('tries free partitions (and those of an earlier run of this instance) from its own starting point, never others’', () => {
    const holders = ['b#1', null, 'a#old', null, 'a#now', null];
    expect(partitionsToTry(holders, new Set([4]), 3, 3, 'a#')).toEqual([3, 5, 1]);
    expect(partitionsToTry(holders, new Set([4]), 1, 0, 'a#')).toEqual([1]);
    expect(partitionsToTry(holders, new Set(), 6, 0, 'a#')).toEqual([1, 2, 3, 4, 5]);
    expect(partitionsToTry(holders, new Set(), 0, 0, 'a#')).toEqual([]);
    // An instance whose id only begins like another's is not that instance.
    expect(partitionsToTry(['ab#1'], new Set(), 1, 0, 'a#')).toEqual([]);
  });

  it('gives every partition an owner once each process holds its share (P=16 over 1..16 processes)', () => {
    for (let live = 1; live <= 16; live++) {
      // Processes take shares in turn from whatever is free: all 16 end up owned.
      const holders: Array<string | null> = new Array(16).fill(null);
      for (let k = 0; k < live; k++) {
        const me = `p${k}#`;
        for (const p of partitionsToTry(holders, new Set(), fairShare(16, live), startingPartition(me, 16), me))
          holders[p] = `${me}x`;
      }
      expect(holders.filter((h) => h === null)).toEqual([]);
    }
  });
});

describe('BacklogEstimate', () => {
  it('sums each partition’s last known counter and is replaced by a fresh read', () => {
    const estimate = new BacklogEstimate(3, 1000);
    estimate.update(0, 10);
    estimate.update(2, 5);
    estimate.update(0, 12);
    expect(estimate.total).toBe(17);
    expect(estimate.isStale(500)).toBe(false);
    estimate.replaceAll([1, 2, 3], 600);
    expect(estimate.total).toBe(6);
    expect(estimate.isStale(1599)).toBe(false);
    expect(estimate.isStale(1600)).toBe(true);
  });
});
