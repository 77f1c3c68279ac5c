import type { Logger } from '@citypulse/observability';
import { CityBudget, blockReadings, type RateDecision } from './city-budget.js';
import type { CityBudgetStore } from './city-budget-store.js';
import { LocalCityBuckets } from './local-city-buckets.js';

export type { RateDecision };

export interface CityRateSettings {
  /** Readings per second per city, for all brokers together; 0 = unlimited. */
  readingsPerS: number;
  overrides: Readonly<Record<string, number>>;
  /** Longest a publish is held back; one that would need longer is shed. */
  maxHoldMs: number;
  /** Blocks taken from Redis at once, in ms of the city's rate. */
  blockMs: number;
}

/** The bucket's capacity: one second of the city's rate. */
const NOW: RateDecision = { kind: 'now' };
const BURST_MS = 1000;
/** A block that takes longer than this to arrive counts as Redis being unreachable. */
const FETCH_TIMEOUT_MS = 500;
/** How long the broker then keeps to its own buckets before asking Redis again. */
const LOCAL_FALLBACK_MS = 1000;

/**
 * One rate budget per city across all brokers: one city's storm must not take the brokers, the
 * hand-off stream and InfluxDB from the others, however its devices spread over brokers. Capacity
 * is one second of the city's rate. Over it, readings still go through but their PUBACK is held
 * back until the city's budget has paid for them: aedes reads nothing more from that connection
 * meanwhile, so the device slows down (back-pressure) and nothing is lost. A publish that would
 * have to wait longer than `maxHoldMs` is shed instead — rejected with `city_rate_limited`.
 *
 * The budget is a bucket per city in Redis (CityBudgetStore); each broker takes blocks of
 * `blockMs` of the rate from it in one script call and spends them locally (CityBudget), asking
 * for the next block in the background once less than half a block is left — a Redis call per
 * block, never per reading. A publish waits for a block only when none is in hand.
 *
 * If Redis does not answer within FETCH_TIMEOUT_MS (or fails), the broker falls back for
 * LOCAL_FALLBACK_MS to a bucket of its own per city at the city's full rate (LocalCityBuckets,
 * the pre-cluster behaviour), then tries Redis again. So an outage never sheds or stalls readings
 * for want of a budget, at the price that the cities' limits are per broker meanwhile (K brokers
 * may take in up to K times a city's rate). While Redis is down the hand-off fails anyway.
 */
export class CityRateLimiter {
  private readonly budgets = new Map<string, CityBudget>();
  /** Per city, the block request under way: whether it answered in time. */
  private readonly fetches = new Map<string, Promise<boolean>>();
  /** Readings of the publishes waiting for a block, per city. */
  private readonly waiting = new Map<string, number>();
  private readonly local: LocalCityBuckets;
  private localUntilMs = 0;

  constructor(
    private readonly settings: CityRateSettings,
    /** The shared budget; without it (a broker alone, or tests) every broker keeps its own buckets. */
    private readonly store?: CityBudgetStore,
    private readonly logger?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.local = new LocalCityBuckets(settings.maxHoldMs);
  }

  rateOf(city: string): number {
    return Object.hasOwn(this.settings.overrides, city) ? this.settings.overrides[city] : this.settings.readingsPerS;
  }

  /**
   * The decision for `readings` when it needs no answer from Redis — nearly always: a city spends
   * from the blocks it has in hand — else undefined, and the caller awaits `take`. Every publish
   * asks, so the common case costs no promise.
   */
  decideNow(city: string, readings: number): RateDecision | undefined {
    const rate = this.rateOf(city);
    if (rate <= 0) return NOW;
    if (!this.store || this.now() < this.localUntilMs) return this.local.take(city, rate, readings, this.now());
    const budget = this.budgetOf(city, rate);
    const first = budget.spend(readings, this.now());
    if (first.kind === 'short') return undefined;
    // While a request is under way, a reading spends without touching it.
    if (!this.fetches.has(city) && budget.wantsMore(this.now())) void this.fetch(city, budget);
    return first;
  }

  /** The decision for `readings`, waiting for blocks from Redis when the city has none in hand. */
  async take(city: string, readings: number): Promise<RateDecision> {
    const now = this.decideNow(city, readings);
    if (now) return now;
    const rate = this.rateOf(city);
    const budget = this.budgetOf(city, rate);
    // None in hand: wait for blocks. Every answer either grants at least one reading or says the
    // city is at its longest hold, so this ends; publishes waiting together ask for all they need.
    this.waiting.set(city, (this.waiting.get(city) ?? 0) + readings);
    try {
      for (;;) {
        if (budget.exhausted(this.now())) return { kind: 'shed', readingsPerS: rate };
        if (!(await this.fetch(city, budget))) return this.local.take(city, rate, readings, this.now());
        const spent = budget.spend(readings, this.now());
        if (spent.kind !== 'short') return spent;
      }
    } finally {
      this.waiting.set(city, this.waiting.get(city)! - readings);
    }
  }

  private budgetOf(city: string, rate: number): CityBudget {
    let budget = this.budgets.get(city);
    if (!budget) {
      const { maxHoldMs, blockMs } = this.settings;
      budget = new CityBudget({
        intervalMs: 1000 / rate,
        burstMs: BURST_MS,
        maxHoldMs,
        blockReadings: blockReadings(rate, blockMs),
      });
      this.budgets.set(city, budget);
    }
    return budget;
  }

  /**
   * Asks Redis for a block (or joins the request already under way for the city). False if no
   * answer came in time: the broker then keeps to its own buckets for a while. One deadline per
   * request, however many publishes wait on it (a slow Redis must not cost a timer per reading).
   * A late answer is still taken in, and the city asks again only once it has come: only one
   * request per city is ever outstanding, so an outage piles nothing up.
   */
  private fetch(city: string, budget: CityBudget): Promise<boolean> {
    let answered = this.fetches.get(city);
    if (!answered) {
      const wanted = Math.max(budget.shape.blockReadings, (this.waiting.get(city) ?? 0) - budget.inHand(this.now()));
      const request = this.store!.take(city, budget.shape, wanted).then((grant) => budget.add(grant, this.now()));
      answered = this.inTime(request);
      this.fetches.set(city, answered);
      // A failure is reported through `answered`; either way the next publish may ask again.
      const settled = () => void this.fetches.delete(city);
      request.then(settled, settled);
    }
    return answered;
  }

  private async inTime(request: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, FETCH_TIMEOUT_MS, 'timeout')));
    try {
      if ((await Promise.race([request, timedOut])) !== 'timeout') return true;
      this.fallBack(new Error(`no answer from Redis within ${FETCH_TIMEOUT_MS} ms`));
    } catch (err) {
      this.fallBack(err as Error);
    } finally {
      clearTimeout(timer);
    }
    return false;
  }

  private fallBack(err: Error): void {
    if (this.now() >= this.localUntilMs)
      this.logger?.warn(
        { err },
        `city rate budget unreachable in Redis: each broker limits cities on its own for ${LOCAL_FALLBACK_MS} ms`,
      );
    this.localUntilMs = this.now() + LOCAL_FALLBACK_MS;
  }
}
