export interface CityRateSettings {
  /** Readings per second per city; 0 = unlimited. */
  readingsPerS: number;
  overrides: Readonly<Record<string, number>>;
  /** Longest a publish is held back; one that would need longer is shed. */
  maxHoldMs: number;
}

/** Go ahead now; go ahead after holding the PUBACK back `holdMs`; or refuse the readings (`shed`). */
export type RateDecision = { kind: 'now' } | { kind: 'hold'; holdMs: number } | { kind: 'shed'; readingsPerS: number };

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * A token bucket per city on accepted readings: one city's storm must not take the broker, the
 * hand-off stream and InfluxDB from the others. Capacity is one second of the city's rate. Over
 * it, readings still go through but their PUBACK is held back until the bucket has paid for them
 * (the bucket goes into debt): aedes reads nothing more from that connection meanwhile, so the
 * device slows down (back-pressure) and nothing is lost. A publish that would have to wait longer
 * than `maxHoldMs` is shed instead — rejected with `city_rate_limited`, costing the bucket nothing.
 * Pure (time is passed in); one per broker process.
 */
export class CityRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: CityRateSettings) {}

  rateOf(city: string): number {
    return Object.hasOwn(this.settings.overrides, city) ? this.settings.overrides[city] : this.settings.readingsPerS;
  }

  take(city: string, readings: number, nowMs: number): RateDecision {
    const rate = this.rateOf(city);
    if (rate <= 0) return { kind: 'now' };
    const bucket = this.refill(city, rate, nowMs);
    if (bucket.tokens >= readings) {
      bucket.tokens -= readings;
      return { kind: 'now' };
    }
    const holdMs = Math.ceil(((readings - bucket.tokens) / rate) * 1000);
    if (holdMs > this.settings.maxHoldMs) return { kind: 'shed', readingsPerS: rate };
    bucket.tokens -= readings;
    return { kind: 'hold', holdMs };
  }

  private refill(city: string, rate: number, nowMs: number): Bucket {
    let bucket = this.buckets.get(city);
    if (!bucket) {
      bucket = { tokens: rate, atMs: nowMs };
      this.buckets.set(city, bucket);
    }
    const elapsedMs = Math.max(0, nowMs - bucket.atMs);
    bucket.tokens = Math.min(rate, bucket.tokens + (elapsedMs / 1000) * rate);
    bucket.atMs = nowMs;
    return bucket;
  }
}
