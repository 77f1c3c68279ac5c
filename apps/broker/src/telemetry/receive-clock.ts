/**
 * Receive timestamps for readings that carry no time of their own. Each call returns a distinct,
 * increasing epoch-nanosecond string: two readings of one device in the same millisecond would
 * otherwise share (measurement, tags, time) and the second would overwrite the first in InfluxDB.
 * A sequence within the millisecond gives up to a million distinct times per ms without BigInt.
 */
export class ReceiveClock {
  private lastMs = 0;
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  nextNs(): string {
    const ms = this.now();
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.sequence = 0;
    } else if (++this.sequence > 999_999) {
      // More than a million readings in one ms (or the wall clock went backwards): borrow the next ms.
      this.lastMs += 1;
      this.sequence = 0;
    }
    return `${this.lastMs}${String(this.sequence).padStart(6, '0')}`;
  }
}

/** A device timestamp (epoch ms, possibly fractional from SenML) as epoch ns, exact to the microsecond. */
export function deviceTimeNs(tsMs: number): string {
  return `${Math.round(tsMs * 1000)}000`;
}
