import { liveReceivers, type ShareAgreement, type ShareStore } from '@citypulse/registry';

/**
 * Which cities may receive each share's live messages now, for the broker's per-message forward
 * check (which cannot wait on Redis): every agreement is re-read each `refreshMs`, so a revoked or
 * expired share stops being delivered within that; a subscription's own check reads the
 * agreement afresh and notes it here at once.
 */
export class ShareDirectory {
  private receivers = new Map<string, ReadonlySet<string>>();
  private expiresAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ShareStore,
    private readonly refreshMs: number,
    private readonly onError: (err: Error) => void,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(this.onError), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Whether one of `cities` may receive share `id`'s messages now (null cities: a cluster-wide login, every share). */
  mayReceive(id: string, cities: ReadonlySet<string> | null): boolean {
    const receivers = this.receivers.get(id);
    if (!receivers || (this.expiresAt.get(id) ?? 0) <= Date.now()) return false;
    if (cities === null) return true;
    for (const city of receivers) if (cities.has(city)) return true;
    return false;
  }

  /** Takes in one agreement as just read. */
  note(share: ShareAgreement): void {
    const receivers = liveReceivers(share, Date.now());
    if (receivers.length === 0) {
      this.receivers.delete(share.id);
      return;
    }
    this.receivers.set(share.id, new Set(receivers));
    this.expiresAt.set(share.id, Date.parse(share.expiresAt));
  }

  private async refresh(): Promise<void> {
    const shares = await this.store.list();
    const nowMs = Date.now();
    const receivers = new Map<string, ReadonlySet<string>>();
    const expiresAt = new Map<string, number>();
    for (const share of shares) {
      const live = liveReceivers(share, nowMs);
      if (live.length === 0) continue;
      receivers.set(share.id, new Set(live));
      expiresAt.set(share.id, Date.parse(share.expiresAt));
    }
    this.receivers = receivers;
    this.expiresAt = expiresAt;
  }
}
