import type { Cluster } from 'ioredis';

/**
 * One slot-map check per process instead of one per cluster connection.
 *
 * ioredis re-reads the slot map of each `Cluster` on its own timer, and each re-read opens a fresh
 * TCP connection, sends CLUSTER SLOTS and rebuilds a 16,384-entry table. A process holds a cluster
 * connection per store user and per BullMQ queue and worker (an alerts process: 17), so at a 15 s
 * interval that was most of an alerts process's CPU at rest on a Redis Cluster (25 ms/s against
 * 10 ms/s with re-reads every 60 s, measured side by side). Here the connections citypulse opens
 * have ioredis' periodic re-read off; every `intervalMs` one CLUSTER SLOTS goes over an existing
 * connection, and only when the map changed (failover, resharding) does every connection re-read
 * it. A redirect (MOVED) or a lost node still makes ioredis re-read at once, as before.
 */
export class SlotMapWatch {
  private readonly followers = new Set<Cluster>();
  private readonly probes = new Set<Cluster>();
  private timer?: NodeJS.Timeout;
  private lastMap?: string;

  constructor(private readonly intervalMs: number) {}

  /** Watches `cluster` until it ends; a `probe` may carry the CLUSTER SLOTS check (never a blocking connection). */
  add(cluster: Cluster, role: 'probe' | 'follower'): void {
    this.followers.add(cluster);
    if (role === 'probe') this.probes.add(cluster);
    cluster.once('end', () => {
      this.followers.delete(cluster);
      this.probes.delete(cluster);
      if (this.followers.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => void this.check(), this.intervalMs).unref();
  }

  /**
   * One check: CLUSTER SLOTS over a ready probe. Every connection re-reads the map when it changed,
   * when the check failed, and on the first map read after start or after a failed check: the map
   * may have moved between a connection's own read and that check (seen in CI: a failed first check,
   * a reshard, then a check that took the new map as its baseline, leaving idle connections on the
   * old owner for good).
   */
  async check(): Promise<'unchanged' | 'refreshed'> {
    const probe = [...this.probes].find((c) => c.status === 'ready');
    let map: string | undefined;
    try {
      if (probe) map = slotMapFingerprint(await probe.cluster('SLOTS'));
    } catch {
      map = undefined;
    }
    const unchanged = map !== undefined && map === this.lastMap;
    this.lastMap = map;
    if (unchanged) return 'unchanged';
    for (const cluster of this.followers) if (cluster.status === 'ready') cluster.refreshSlotsCache();
    return 'refreshed';
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** CLUSTER SLOTS reply: [start, end, master, ...replicas], each node [host, port, id, ...]. */
type SlotRange = [number, number, ...Array<[string, number, ...unknown[]]>];

/** Which master serves which slots, as one comparable string. */
export function slotMapFingerprint(ranges: readonly SlotRange[]): string {
  return ranges
    .map(([start, end, master]) => `${start}-${end}@${master?.[0]}:${master?.[1]}`)
    .sort()
    .join(',');
}

const watches = new Map<number, SlotMapWatch>();

/** The process's watch for this interval (one per interval, so tests with other settings keep theirs). */
export function slotMapWatch(intervalMs: number): SlotMapWatch {
  let watch = watches.get(intervalMs);
  if (!watch) watches.set(intervalMs, (watch = new SlotMapWatch(intervalMs)));
  return watch;
}
