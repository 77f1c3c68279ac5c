/**
 * The share of one city's rate budget a broker holds: blocks of readings granted by the shared
 * bucket in Redis (see city-budget-store.ts), spent here without a round trip. Pure: time is passed in.
 *
 * The shared bucket is GCRA-shaped: reading i of a grant is paid for (the bucket has refilled
 * enough for it) at `paidFromMs + i × intervalMs`. A reading spent before it is paid holds its
 * PUBACK until then (back-pressure, as on one broker); Redis never grants a reading that would
 * have to wait longer than the longest hold. A block spends only until it expires — one burst
 * window after its last reading is paid — so budget granted but left unspent lapses instead of
 * adding to a later burst: all brokers together stay within the city's rate plus one block each.
 */

/** Go ahead now; go ahead after holding the PUBACK back `holdMs`; or refuse the readings (`shed`). */
export type RateDecision = { kind: 'now' } | { kind: 'hold'; holdMs: number } | { kind: 'shed'; readingsPerS: number };

/** What Redis granted, in its own time frame relative to the moment of the grant. */
export interface Grant {
  readings: number;
  /** Reading i of the grant is paid for `paidFromOffsetMs + i × intervalMs` after the grant. */
  paidFromOffsetMs: number;
  /** With nothing granted: how long until the bucket could grant one reading again. */
  retryInMs: number;
}

export interface BudgetShape {
  /** One reading's share of a second: 1000 / readings per second. */
  intervalMs: number;
  /** Longest a PUBACK may be held back. */
  maxHoldMs: number;
  /** Readings a broker asks for at once (and keeps at least half of in hand). */
  blockReadings: number;
  /** The bucket's capacity in time (one second of rate); a block lapses this long after it is paid for. */
  burstMs: number;
}

interface Block {
  left: number;
  /** Local time the next reading of this block is paid for. */
  nextPaidAtMs: number;
  expiresAtMs: number;
}

export type BudgetSpend = { kind: 'now' } | { kind: 'hold'; holdMs: number } | { kind: 'short'; inHand: number };

/** Readings per block: `blockMs` of the city's rate, at least one. */
export function blockReadings(readingsPerS: number, blockMs: number): number {
  return Math.max(1, Math.ceil((readingsPerS * blockMs) / 1000));
}

export class CityBudget {
  private blocks: Block[] = [];
  /** No reading can be granted before this (the city is at its longest hold): ask Redis no sooner. */
  private exhaustedUntilMs = 0;

  constructor(readonly shape: BudgetShape) {}

  /** Readings in hand that have not lapsed. */
  inHand(nowMs: number): number {
    this.dropLapsed(nowMs);
    return this.blocks.reduce((sum, b) => sum + b.left, 0);
  }

  /**
   * Spends `readings` from the blocks in hand if they cover them all, holding the PUBACK until
   * the last one is paid for; otherwise spends nothing (`short`: ask Redis for more, or shed).
   */
  spend(readings: number, nowMs: number): BudgetSpend {
    const inHand = this.inHand(nowMs);
    if (inHand < readings) return { kind: 'short', inHand };
    let lastPaidAtMs = -Infinity;
    for (let wanted = readings; wanted > 0;) {
      const block = this.blocks[0];
      const taken = Math.min(block.left, wanted);
      lastPaidAtMs = block.nextPaidAtMs + (taken - 1) * this.shape.intervalMs;
      block.nextPaidAtMs += taken * this.shape.intervalMs;
      block.left -= taken;
      wanted -= taken;
      if (block.left === 0) this.blocks.shift();
    }
    const holdMs = Math.ceil(lastPaidAtMs - nowMs);
    return holdMs > 0 ? { kind: 'hold', holdMs } : { kind: 'now' };
  }

  /** True while Redis said the city cannot be granted anything yet: shed without asking. */
  exhausted(nowMs: number): boolean {
    return nowMs < this.exhaustedUntilMs;
  }

  /**
   * Time to ask for the next block ahead of need: less than half a block in hand, or what is in
   * hand lapses within half a block's time. Below its rate a city's block is granted from a full
   * bucket and lapses one block time later, long before it is spent; asking only once it had lapsed
   * would hold every publish arriving during the round trip. Asking early charges the bucket no
   * more: the next block is paid from where this one ends (and lapses a block time after it).
   */
  wantsMore(nowMs: number): boolean {
    if (this.exhausted(nowMs)) return false;
    if (this.inHand(nowMs) * 2 < this.shape.blockReadings) return true;
    // Checked on every publish: no array made.
    let lapsesAtMs = -Infinity;
    for (const block of this.blocks) lapsesAtMs = Math.max(lapsesAtMs, block.expiresAtMs);
    return (lapsesAtMs - nowMs) * 2 < this.shape.blockReadings * this.shape.intervalMs;
  }

  /** Takes in a grant that arrived at local time `nowMs`. */
  add(grant: Grant, nowMs: number): void {
    if (grant.readings <= 0) {
      this.exhaustedUntilMs = nowMs + Math.max(1, grant.retryInMs);
      return;
    }
    const paidFromMs = nowMs + grant.paidFromOffsetMs;
    this.blocks.push({
      left: grant.readings,
      nextPaidAtMs: paidFromMs + this.shape.intervalMs,
      expiresAtMs: paidFromMs + grant.readings * this.shape.intervalMs + this.shape.burstMs,
    });
  }

  private dropLapsed(nowMs: number): void {
    while (this.blocks.length > 0 && this.blocks[0].expiresAtMs <= nowMs) this.blocks.shift();
  }
}
