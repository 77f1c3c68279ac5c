import type { Aedes, Client } from 'aedes';
import type { RedisClient } from '@citypulse/redis';
import type { Logger } from '@citypulse/observability';
import type { RouteIndexStore } from './route-index-store.js';
import { RouteTable, scopedFilters } from './route-table.js';

export interface SubscriptionIndexDeps {
  store: RouteIndexStore;
  /** A connection of its own: it is put in subscriber mode. Closed by stop(). */
  subscriber: RedisClient;
  brokerId: string;
  /** Heartbeat: the set is rewritten (TTL renewed) and every other set re-read this often. */
  periodMs: number;
  logger: Logger;
}

/**
 * The cluster-wide subscription index, this broker's side of it. It records the telemetry filters
 * this broker's clients hold (scoped by city, see scopedFilters) in Redis under a key that lapses
 * three heartbeats after the broker stops renewing it, and keeps `routes` — the union of every
 * live broker's filters — fresh here: loaded at start, updated on each change notice, and re-read
 * in full every heartbeat and after the notice connection reconnects (a missed notice heals there).
 *
 * Guarantee (README "Scaling out"): `grant` resolves — and so the SUBACK goes out — only after the
 * filter is in Redis and the change notice has been published. Another broker routes a matching
 * reading it accepts once it has applied that notice: one Redis pub/sub hop after the write,
 * normally well under a millisecond; a broker that missed the notice applies it at its next
 * re-read, within one heartbeat. A reading a broker accepted before applying it is not routed.
 * After an unsubscribe or a disconnect, readings may still cross for that same short while.
 *
 * Only live connections hold entries: operator logins must use clean sessions and devices may
 * not subscribe to telemetry, so no offline persistent session ever waits for telemetry. `grant`
 * refuses a persistent session rather than silently not queueing for it.
 */
export class SubscriptionIndex {
  readonly routes = new RouteTable();
  /** This broker's grants: client → filter → its scoped filters. */
  private readonly held = new Map<Client, Map<string, string[]>>();
  private own: string[] = [];
  private lastWrite: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly deps: SubscriptionIndexDeps) {}

  private get ttlMs(): number {
    return this.deps.periodMs * 3;
  }

  async start(broker: Aedes): Promise<void> {
    const { subscriber, store } = this.deps;
    subscriber.on('message', (channel: string, brokerId: string) => {
      if (channel === store.channel && brokerId !== this.deps.brokerId) void this.reload(brokerId);
    });
    await subscriber.subscribe(store.channel);
    // ioredis subscribes again after a reconnect; notices sent meanwhile are lost, so re-read all.
    subscriber.on('ready', () => void this.resync());
    await store.write(this.deps.brokerId, this.own, this.ttlMs);
    await this.resync();
    this.timer = setInterval(() => void this.beat(), this.deps.periodMs);
    this.timer.unref();
    // A clean session's subscriptions end with its connection: aedes reports them as unsubscribed.
    broker.on('unsubscribe', (filters: string[], client: Client) => this.release(client, filters));
    broker.on('clientDisconnect', (client: Client) => this.release(client));
  }

  /** Records a granted telemetry filter of `client` (of `cities`; null = every city) before its SUBACK. */
  async grant(client: Client, filter: string, cities: ReadonlySet<string> | null): Promise<void> {
    if (!client.clean)
      throw new Error(
        'the routing index covers live connections only; a persistent session cannot hold a telemetry subscription',
      );
    if (client.closed) return;
    let filters = this.held.get(client);
    if (!filters) this.held.set(client, (filters = new Map<string, string[]>()));
    filters.set(filter, scopedFilters(filter, cities));
    // Unchanged (another client holds it too): still wait for the write that carries it.
    await (this.updateOwn() ? this.writeOwn() : this.lastWrite);
  }

  /** Forgets `filters` of `client`, or all of them when it is gone. */
  release(client: Client, filters?: readonly string[]): void {
    const held = this.held.get(client);
    if (!held) return;
    for (const filter of filters ?? [...held.keys()]) held.delete(filter);
    if (held.size === 0) this.held.delete(client);
    if (this.updateOwn()) this.write();
  }

  /** Removes this broker's set from Redis at once and stops listening. Call after the broker closed. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    try {
      await this.deps.store.remove(this.deps.brokerId);
    } finally {
      this.deps.subscriber.disconnect();
    }
  }

  /** Recomputes this broker's set (sorted, without duplicates); true if it changed. */
  private updateOwn(): boolean {
    const next = [...new Set([...this.held.values()].flatMap((byFilter) => [...byFilter.values()].flat()))].sort();
    if (next.length === this.own.length && next.every((f, i) => f === this.own[i])) return false;
    this.own = next;
    this.routes.set(this.deps.brokerId, next);
    return true;
  }

  private writeOwn(): Promise<void> {
    const written = this.deps.store.write(this.deps.brokerId, this.own, this.ttlMs);
    this.lastWrite = written.catch(() => undefined);
    return written;
  }

  private write(): void {
    if (this.stopped) return;
    this.writeOwn().catch((err: Error) =>
      this.deps.logger.warn({ err }, 'could not write this broker’s subscriptions to the routing index'),
    );
  }

  private async beat(): Promise<void> {
    this.write();
    await this.resync();
  }

  private async reload(brokerId: string): Promise<void> {
    try {
      this.routes.set(brokerId, await this.deps.store.read(brokerId));
    } catch (err) {
      this.deps.logger.warn({ err, brokerId }, 'could not read a broker’s subscriptions from the routing index');
    }
  }

  private async resync(): Promise<void> {
    if (this.stopped) return;
    try {
      const sets = await this.deps.store.readAll();
      // Our own set is what we hold, whatever Redis says (it may have lapsed; the beat rewrites it).
      sets.set(this.deps.brokerId, this.own);
      this.routes.replaceAll(sets);
    } catch (err) {
      this.deps.logger.warn({ err }, 'could not re-read the routing index');
    }
  }
}
