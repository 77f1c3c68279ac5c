/**
 * The cluster-wide hand-off backlog as a broker sees it: the sum of each partition's counter as
 * last returned by its own appends (free: every append returns its partition's count). A
 * partition this broker has not appended to lately may be off either way, so a sum over the limit
 * is confirmed by a fresh read of every counter before anyone is held back, and the whole set is
 * re-read now and then to learn of other brokers' appends.
 */
export class BacklogEstimate {
  private readonly known: number[];
  private sum = 0;
  private refreshedAt = 0;

  constructor(
    partitions: number,
    private readonly refreshEveryMs: number,
  ) {
    this.known = new Array<number>(partitions).fill(0);
  }

  get total(): number {
    return this.sum;
  }

  /** One partition's counter, as an append just returned it. */
  update(partition: number, readings: number): void {
    this.sum += readings - this.known[partition];
    this.known[partition] = readings;
  }

  /** Every counter, freshly read. */
  replaceAll(readings: readonly number[], nowMs: number): void {
    readings.forEach((n, partition) => this.update(partition, n));
    this.refreshedAt = nowMs;
  }

  isStale(nowMs: number): boolean {
    return nowMs - this.refreshedAt >= this.refreshEveryMs;
  }
}
