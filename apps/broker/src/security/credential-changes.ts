/**
 * When each device's credentials last changed (rotate, revoke, delete), as this broker heard on
 * the control channel. A CONNECT reads the registry, then spends milliseconds in scrypt; a rotation
 * landing in between must still win, so a CONNECT that began before the change is refused.
 * Entries are needed only for as long as a CONNECT can take, so old ones are dropped.
 */
export class CredentialChanges {
  private readonly changedAt = new Map<string, number>();
  private lastPrune = 0;

  constructor(
    private readonly keepMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  record(deviceId: string): void {
    const now = this.now();
    this.changedAt.delete(deviceId);
    this.changedAt.set(deviceId, now);
    if (now - this.lastPrune > this.keepMs) this.prune(now);
  }

  /** True if the device's credentials changed at or after `sinceMs`. */
  changedSince(deviceId: string, sinceMs: number): boolean {
    const at = this.changedAt.get(deviceId);
    return at !== undefined && at >= sinceMs;
  }

  private prune(now: number): void {
    this.lastPrune = now;
    // Insertion order is change order (record re-inserts), so stop at the first recent one.
    for (const [id, at] of this.changedAt) {
      if (now - at <= this.keepMs) break;
      this.changedAt.delete(id);
    }
  }
}
