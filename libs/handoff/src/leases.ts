import { luaScript, type RedisClient } from '@citypulse/redis';
import { randomUUID } from 'node:crypto';
import { handoffKeys, handoffMembersKey } from './keys.js';
import { fairShare, partitionsToRelease, partitionsToTry, startingPartition } from './fair-share.js';
import { ACQUIRE_LUA, HEARTBEAT_LUA, RELEASE_LUA, RENEW_LUA } from './scripts.js';

export interface PartitionLeasesOptions {
  prefix: string;
  partitions: number;
  /** Unique among live ingest processes; a restarted process with the same id takes its old leases back at once. */
  instanceId: string;
  /** A lease not renewed for this long expires (a dead process's partitions move after it). */
  leaseMs: number;
  /** How often leases are renewed and shares rebalanced. @defaultValue min(1000, leaseMs / 3) */
  tickMs?: number;
}

/** What the reader does as partitions come and go. */
export interface LeaseHooks {
  /** `partition` is this process's to read now, under `token` (earlier owners' pending entries first). */
  acquired(partition: number, token: string): void;
  /** Stop reading `partition`: lost to another process, or about to be released. */
  revoked(partition: number): void;
  /** Resolves once nothing read from revoked partitions is in flight any more. */
  drained(): Promise<void>;
  onError?(err: unknown): void;
}

/**
 * Which hand-off partitions this ingest process reads. Each partition has a lease (a key holding
 * the owner's token, with a TTL the owner renews); live processes announce themselves in a sorted
 * set with an expiry. Every tick a process renews what it holds, gives up what exceeds the fair
 * share ceil(P / live) — after the batches it read from them are finished, so a new owner never
 * overlaps it — and takes free partitions up to its share. A dead process renews nothing: its
 * leases expire and the others take its partitions, pending entries included.
 */
export class PartitionLeases {
  /** This run's lease token: `${instanceId}#${random}`. */
  readonly token: string;
  private readonly ownerPrefix: string;
  private readonly held = new Set<number>();
  private readonly releasing = new Set<number>();
  private readonly releases = new Set<Promise<unknown>>();
  private readonly scripts;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;
  private live = 1;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: PartitionLeasesOptions,
    private readonly hooks: LeaseHooks,
  ) {
    this.ownerPrefix = `${options.instanceId}#`;
    this.token = `${this.ownerPrefix}${randomUUID().slice(0, 8)}`;
    this.scripts = {
      acquire: luaScript(redis, 'cpHandoffLeaseAcquire', ACQUIRE_LUA),
      renew: luaScript(redis, 'cpHandoffLeaseRenew', RENEW_LUA),
      release: luaScript(redis, 'cpHandoffLeaseRelease', RELEASE_LUA),
      heartbeat: luaScript(redis, 'cpHandoffMembers', HEARTBEAT_LUA),
    };
  }

  /** Partitions held now (not counting those being released). */
  get partitions(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Live ingest processes as of the last tick. */
  get liveProcesses(): number {
    return this.live;
  }

  /** Takes a first share before resolving, then keeps ticking. */
  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  /** The reader found the lease gone (a fenced script answered LOST). */
  lost(partition: number): void {
    if (this.held.delete(partition)) this.hooks.revoked(partition);
  }

  /** One round: heartbeat, renew, give up extras, take free ones. Exposed for tests. */
  tick(): Promise<void> {
    this.ticking ??= this.rebalance()
      .catch((err) => this.hooks.onError?.(err))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  /** Stops ticking, finishes what was read, and gives every lease up so others take over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const all = [...this.held];
    for (const p of all) this.startRelease(p);
    await Promise.all(this.releases);
    await this.redis.zrem(handoffMembersKey(this.options.prefix), this.options.instanceId).catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    const tickMs = this.options.tickMs ?? Math.min(1000, Math.floor(this.options.leaseMs / 3));
    this.timer = setTimeout(() => void this.tick().finally(() => this.schedule()), tickMs);
  }

  private async rebalance(): Promise<void> {
    const { prefix, partitions, leaseMs } = this.options;
    // By instance id: a restarted process replaces its earlier run instead of counting twice.
    this.live = Number(await this.scripts.heartbeat([handoffMembersKey(prefix)], [this.options.instanceId, leaseMs]));
    await this.renew();
    if (this.stopped) return;
    const share = fairShare(partitions, this.live);
    for (const p of partitionsToRelease(this.held, share)) this.startRelease(p);
    if (this.held.size < share) await this.acquire(share - this.held.size);
  }

  private async renew(): Promise<void> {
    const mine = [...this.held, ...this.releasing];
    const renewed = await Promise.all(
      mine.map((p) => this.scripts.renew([this.leaseKey(p)], [this.token, this.options.leaseMs])),
    );
    mine.forEach((p, i) => {
      if (Number(renewed[i]) !== 1) this.lost(p);
    });
  }

  private async acquire(need: number): Promise<void> {
    const { partitions, instanceId, leaseMs } = this.options;
    const holders = await Promise.all(Array.from({ length: partitions }, (_, p) => this.redis.get(this.leaseKey(p))));
    const mine = new Set([...this.held, ...this.releasing]);
    const candidates = partitionsToTry(
      holders,
      mine,
      need,
      startingPartition(instanceId, partitions),
      this.ownerPrefix,
    );
    const taken = await Promise.all(
      candidates.map((p) => this.scripts.acquire([this.leaseKey(p)], [this.token, leaseMs, this.ownerPrefix])),
    );
    candidates.forEach((p, i) => {
      if (Number(taken[i]) !== 1) return;
      this.held.add(p);
      this.hooks.acquired(p, this.token);
    });
  }

  /** Stops reading `p` now; deletes its lease once what was read from it is finished. */
  private startRelease(p: number): void {
    if (!this.held.delete(p)) return;
    this.releasing.add(p);
    this.hooks.revoked(p);
    const release = this.hooks
      .drained()
      .then(async () => void (await this.scripts.release([this.leaseKey(p)], [this.token])))
      .catch((err) => this.hooks.onError?.(err))
      .finally(() => {
        this.releasing.delete(p);
        this.releases.delete(release);
      });
    this.releases.add(release);
  }

  private leaseKey(p: number): string {
    return handoffKeys(this.options.prefix, p).lease;
  }
}
