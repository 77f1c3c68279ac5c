/**
 * Receive timestamps for readings that carry no time of their own. Each call returns a distinct,
 * increasing epoch-nanosecond string: two readings of one device in the same millisecond would
 * otherwise share (measurement, tags, time) and the second would overwrite the first in InfluxDB.
 * A sequence within the millisecond gives up to a million distinct times per ms without BigInt.
 */
export class ReceiveClock {
  private issuedMs = 0;
  private sequence = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The millisecond of the time `nextNs` returned last. */
  get lastMs(): number {
    return this.issuedMs;
  }

  nextNs(): string {
    const ms = this.now();
    if (ms > this.issuedMs) {
      this.issuedMs = ms;
      this.sequence = 0;
    } else if (++this.sequence > 999_999) {
      // More than a million readings in one ms (or the wall clock went backwards): borrow the next ms.
      this.issuedMs += 1;
      this.sequence = 0;
    }
    return `${this.issuedMs}${String(this.sequence).padStart(6, '0')}`;
  }
}

/** A device timestamp (epoch ms, possibly fractional from SenML) as epoch ns, exact to the microsecond. */
export function deviceTimeNs(tsMs: number): string {
  return `${Math.round(tsMs * 1000)}000`;
}

/** The whole millisecond of `deviceTimeNs(tsMs)` (rules work at ms resolution). */
export function deviceTimeMs(tsMs: number): number {
  return Math.floor(Math.round(tsMs * 1000) / 1000);
}
