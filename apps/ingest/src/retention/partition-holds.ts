/**
 * Since when this process has read each hand-off partition without a break: from its lease's
 * acquisition, restarted when entries are read again (a take-over's or a failed batch's pending
 * entries, which may have been counted once already), forgotten when the lease goes. A minute's
 * readings of a partition were all stored here only if it was held since before any of them could
 * have been stored elsewhere. Pure.
 */
export class PartitionHolds {
  private readonly holds = new Map<number, { sinceMs: number; token: string }>();

  held(partition: number, token: string, nowMs: number): void {
    this.holds.set(partition, { sinceMs: nowMs, token });
  }

  released(partition: number): void {
    this.holds.delete(partition);
  }

  /** Entries of the partition read again: what was counted before cannot be told apart. */
  redelivered(partition: number, nowMs: number): void {
    const hold = this.holds.get(partition);
    if (hold) hold.sinceMs = nowMs;
  }

  /** The partitions held without a break since `ms` or earlier, with their lease tokens. */
  heldSince(ms: number): Array<{ partition: number; token: string }> {
    const held: Array<{ partition: number; token: string }> = [];
    for (const [partition, { sinceMs, token }] of this.holds) if (sinceMs <= ms) held.push({ partition, token });
    return held;
  }
}
