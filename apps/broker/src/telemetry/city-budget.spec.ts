import { CityBudget, blockReadings } from './city-budget.js';

/** 10 readings/s (one every 100 ms), capacity 1 s, holds up to 1 s, blocks of 4 readings. */
const budget = () => new CityBudget({ intervalMs: 100, burstMs: 1000, maxHoldMs: 1000, blockReadings: 4 });
/** What a fresh shared bucket grants at once: reading i paid at −1000 ms + i × 100 ms. */
const fresh = (readings: number) => ({ readings, paidFromOffsetMs: -1000, retryInMs: 0 });

describe('CityBudget', () => {
  it('has nothing in hand before Redis granted a block, and asks for one', () => {
    const b = budget();
    expect(b.spend(1, 0)).toEqual({ kind: 'short', inHand: 0 });
    expect(b.wantsMore(0)).toBe(true);
  });

  it('spends readings already paid for at once, without asking Redis again until under half a block', () => {
    const b = budget();
    b.add(fresh(4), 0);
    expect(b.spend(1, 0)).toEqual({ kind: 'now' });
    expect(b.wantsMore(0)).toBe(false);
    expect(b.spend(2, 0)).toEqual({ kind: 'now' });
    expect(b.wantsMore(0)).toBe(true);
    expect(b.inHand(0)).toBe(1);
  });

  it('asks for the next block half a block time before what is in hand lapses, however much is left', () => {
    const b = budget();
    // From a full bucket a block of 4 (400 ms of rate) lapses at 400 ms: ask from 200 ms on.
    b.add(fresh(4), 0);
    expect(b.wantsMore(200)).toBe(false);
    expect(b.wantsMore(201)).toBe(true);
    expect(b.inHand(201)).toBe(4);
    // The next block is paid from where the first ends (the bucket's arrival time, 400 ms): good until 800 ms.
    b.add({ readings: 4, paidFromOffsetMs: 400 - 1000 - 201, retryInMs: 0 }, 201);
    expect(b.wantsMore(201)).toBe(false);
    expect(b.inHand(400)).toBe(4);
    expect(b.wantsMore(601)).toBe(true);
  });

  it('holds the PUBACK until the last reading of a publish is paid for', () => {
    const b = budget();
    // Granted while the shared bucket was 0.5 s in debt: reading i is paid at 500 + i × 100 ms after the grant.
    b.add({ readings: 4, paidFromOffsetMs: 500, retryInMs: 0 }, 1000);
    expect(b.spend(1, 1000)).toEqual({ kind: 'hold', holdMs: 600 });
    expect(b.spend(2, 1000)).toEqual({ kind: 'hold', holdMs: 800 });
    // Later, the same debt costs less waiting.
    expect(b.spend(1, 1500)).toEqual({ kind: 'hold', holdMs: 400 });
  });

  it('spends one publish across blocks, holding for the latest of them', () => {
    const b = budget();
    b.add(fresh(2), 0);
    b.add({ readings: 4, paidFromOffsetMs: 0, retryInMs: 0 }, 0);
    expect(b.spend(3, 0)).toEqual({ kind: 'hold', holdMs: 100 });
    expect(b.inHand(0)).toBe(3);
  });

  it('spends nothing of a publish it cannot cover whole', () => {
    const b = budget();
    b.add(fresh(2), 0);
    expect(b.spend(3, 0)).toEqual({ kind: 'short', inHand: 2 });
    expect(b.spend(2, 0)).toEqual({ kind: 'now' });
  });

  it('lets a block lapse one burst window after its last reading is paid for, so unspent budget never adds to a later burst', () => {
    const b = budget();
    b.add({ readings: 4, paidFromOffsetMs: 0, retryInMs: 0 }, 0);
    // Last reading paid at 400 ms; the block is good until 1,400 ms.
    expect(b.inHand(1399)).toBe(4);
    expect(b.inHand(1400)).toBe(0);
    expect(b.spend(1, 1400)).toEqual({ kind: 'short', inHand: 0 });
  });

  it('after an empty grant, does not ask Redis again until the shared bucket can grant a reading', () => {
    const b = budget();
    b.add({ readings: 0, paidFromOffsetMs: 0, retryInMs: 250 }, 1000);
    expect(b.exhausted(1000)).toBe(true);
    expect(b.wantsMore(1000)).toBe(false);
    expect(b.exhausted(1249)).toBe(true);
    expect(b.exhausted(1250)).toBe(false);
    expect(b.wantsMore(1250)).toBe(true);
  });
});

describe('blockReadings', () => {
  it('is blockMs worth of the city’s rate, at least one reading', () => {
    expect(blockReadings(50_000, 50)).toBe(2500);
    expect(blockReadings(200, 50)).toBe(10);
    expect(blockReadings(20, 50)).toBe(1);
    expect(blockReadings(1, 10)).toBe(1);
  });
});
