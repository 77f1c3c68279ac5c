import type { RateDecision } from './city-budget.js';

interface Bucket {
  tokens: number;
  atMs: number;
}

/**
 * A token bucket per city in this broker's memory, with the same semantics as the shared budget:
 * capacity one second of the city's rate; over it readings still go through but their PUBACK is
 * held back until the bucket has paid for them (debt), and a publish that would wait longer than
 * `maxHoldMs` is shed, costing the bucket nothing. The broker falls back to it for a city while
 * Redis cannot hand out blocks of the shared budget. Pure (time is passed in).
 */
export class LocalCityBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly maxHoldMs: number) {}

  take(city: string, rate: number, readings: number, nowMs: number): RateDecision {
    if (rate <= 0) return { kind: 'now' };
    const bucket = this.refill(city, rate, nowMs);
    if (bucket.tokens >= readings) {
      bucket.tokens -= readings;
      return { kind: 'now' };
    }
    const holdMs = Math.ceil(((readings - bucket.tokens) / rate) * 1000);
    if (holdMs > this.maxHoldMs) return { kind: 'shed', readingsPerS: rate };
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
