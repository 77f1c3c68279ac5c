import { luaScript, type RedisClient, type ScriptRunner } from '@citypulse/redis';

/**
 * Where the cluster-wide subscription index lives in Redis. Every key carries one hash tag,
 * `{<prefix>:routes}`, so the transaction below (and a multi-key MGET) stays on one slot of a
 * Redis Cluster; the whole index is small (operators' live subscriptions), one slot is plenty.
 *
 * - `…:broker:<id>`: a broker's whole set of scoped filters, as a JSON array, with a TTL the
 *   broker renews every heartbeat — a broker that dies takes its filters with it.
 * - `…:brokers`: sorted set of broker ids (score: last write, ms), so a reader can find every set.
 * - `…:changed` (pub/sub channel): a broker id whose set just changed.
 */
export class RouteIndexStore {
  private readonly tag: string;
  private readonly forgetLapsed: ScriptRunner;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.tag = `{${prefix}:routes}`;
    this.forgetLapsed = luaScript(redis, 'citypulse_routes_forget_lapsed', FORGET_LAPSED);
  }

  get channel(): string {
    return `${this.tag}:changed`;
  }

  private brokerKey(brokerId: string): string {
    return `${this.tag}:broker:${brokerId}`;
  }

  private get brokersKey(): string {
    return `${this.tag}:brokers`;
  }

  /**
   * Writes this broker's whole set and renews its TTL; tells the other brokers when the set
   * differs from what Redis held (a change, or a key that had lapsed). Resolves once both the
   * write and the notice are done.
   */
  async write(brokerId: string, filters: readonly string[], ttlMs: number): Promise<void> {
    const json = JSON.stringify(filters);
    const results = await this.redis
      .multi()
      .set(this.brokerKey(brokerId), json, 'PX', ttlMs, 'GET')
      .zadd(this.brokersKey, Date.now(), brokerId)
      .exec();
    const [err, previous] = results?.[0] ?? [new Error('route index write: transaction discarded'), null];
    if (err) throw err;
    if (previous !== json) await this.redis.publish(this.channel, brokerId);
  }

  /** On a clean stop: this broker's filters go at once (the others need not wait for the TTL). */
  async remove(brokerId: string): Promise<void> {
    await this.redis.multi().del(this.brokerKey(brokerId)).zrem(this.brokersKey, brokerId).exec();
    await this.redis.publish(this.channel, brokerId);
  }

  /** One broker's set; undefined once its key is gone (stopped, or lapsed). */
  async read(brokerId: string): Promise<string[] | undefined> {
    return parseFilters(await this.redis.get(this.brokerKey(brokerId)));
  }

  /** Every live broker's set; forgets (ZREM) the ids whose key has lapsed. */
  async readAll(): Promise<Map<string, string[]>> {
    const ids = await this.redis.zrange(this.brokersKey, '0', '-1');
    const sets = new Map<string, string[]>();
    if (ids.length === 0) return sets;
    const values = await this.redis.mget(ids.map((id) => this.brokerKey(id)));
    const lapsed: string[] = [];
    ids.forEach((id, i) => {
      const filters = parseFilters(values[i]);
      if (filters) sets.set(id, filters);
      else lapsed.push(id);
    });
    if (lapsed.length > 0)
      await this.forgetLapsed([this.brokersKey, ...lapsed.map((id) => this.brokerKey(id))], lapsed);
    return sets;
  }
}

/** Drops broker ids from the set only if their key is (still) gone: a broker may have come back meanwhile. */
const FORGET_LAPSED = `
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('ZREM', KEYS[1], ARGV[i - 1]) end
end
return 0`;

/** A stored set, or undefined if missing or not an array of strings (never trusted blindly). */
export function parseFilters(json: string | null): string[] | undefined {
  if (json === null) return undefined;
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) && value.every((f) => typeof f === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}
