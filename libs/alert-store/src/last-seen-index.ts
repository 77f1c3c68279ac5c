import type { RedisClient } from '@citypulse/redis';

/**
 * When each device last reported, as one Redis sorted set (score = epoch ms, member = device id),
 * so the deadman check finds the overdue devices of a fleet of tens of thousands with one
 * ZRANGEBYSCORE instead of loading every device. Scores only grow (ZADD GT): a backfilled old
 * reading never makes a silent device look alive.
 */
export class LastSeenIndex {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:devices:last-seen`;
  }

  /**
   * Records a batch in one command. A reading's time is capped at `nowMs` (when it was stored):
   * a device clock running ahead must not postpone its own deadman.
   */
  async touch(devices: ReadonlyArray<{ deviceId: string; newestMs: number }>, nowMs = Date.now()): Promise<void> {
    if (devices.length === 0) return;
    const args: Array<string | number> = [];
    for (const d of devices) args.push(Math.min(d.newestMs, nowMs), d.deviceId);
    await this.redis.zadd(this.key, 'GT', ...args);
  }

  /** Devices silent since before `beforeMs` (oldest first), with when they were last seen. */
  async silentSince(beforeMs: number, limit = 100_000): Promise<Array<{ deviceId: string; lastSeenMs: number }>> {
    const flat = await this.redis.zrangebyscore(this.key, '-inf', `(${beforeMs}`, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: Array<{ deviceId: string; lastSeenMs: number }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ deviceId: flat[i], lastSeenMs: Number(flat[i + 1]) });
    return out;
  }

  async get(deviceIds: readonly string[]): Promise<Array<number | undefined>> {
    if (deviceIds.length === 0) return [];
    return (await this.redis.zmscore(this.key, ...deviceIds)).map((s) => (s === null ? undefined : Number(s)));
  }

  /** A device removed from the registry is no longer watched. */
  async forget(deviceIds: readonly string[]): Promise<void> {
    if (deviceIds.length > 0) await this.redis.zrem(this.key, ...deviceIds);
  }

  async size(): Promise<number> {
    return this.redis.zcard(this.key);
  }
}
