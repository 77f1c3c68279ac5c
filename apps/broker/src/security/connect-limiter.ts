import type { RedisClient } from '@citypulse/redis';

export interface ConnectLimits {
  windowS: number;
  maxPerAddress: number;
  maxPerDevice: number;
}

export interface LimitState {
  /** Too many failures from this client address: refuse before doing any work. */
  address: boolean;
  /** Too many failures for this device id (from anywhere): only an already-verified secret may pass. */
  device: boolean;
}

/**
 * Failed CONNECT attempts counted per client address and per device id in fixed windows in Redis,
 * so the limit holds across brokers (an attacker cannot spread attempts over them). Counting only
 * failures means a healthy fleet reconnecting after a restart is never limited.
 */
export class ConnectLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limits: ConnectLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(address: string, identity: string | undefined): { address: string; device?: string } {
    const window = Math.floor(this.now() / (this.limits.windowS * 1000));
    return {
      address: `${this.prefix}:connect-failures:addr:${address}:${window}`,
      ...(identity ? { device: `${this.prefix}:connect-failures:id:${identity}:${window}` } : {}),
    };
  }

  async check(address: string, identity: string | undefined): Promise<LimitState> {
    const keys = this.keys(address, identity);
    // Two GETs, not an MGET: on a Redis Cluster the two counters lie in different slots.
    const [byAddress, byDevice] = await Promise.all([
      this.redis.get(keys.address),
      keys.device ? this.redis.get(keys.device) : null,
    ]);
    return {
      address: Number(byAddress ?? 0) >= this.limits.maxPerAddress,
      device: keys.device !== undefined && Number(byDevice ?? 0) >= this.limits.maxPerDevice,
    };
  }

  /** One failed attempt; `identity` only when the id exists, so random ids cannot fill Redis with counters. */
  async recordFailure(address: string, identity: string | undefined): Promise<void> {
    const keys = this.keys(address, identity);
    const ttl = this.limits.windowS * 2;
    // One transaction per counter (each its own slot on a cluster): a counter never lives without its expiry.
    await Promise.all([
      this.redis.multi().incr(keys.address).expire(keys.address, ttl).exec(),
      keys.device ? this.redis.multi().incr(keys.device).expire(keys.device, ttl).exec() : undefined,
    ]);
  }
}

/** The client's IP as the socket reports it, with IPv4-mapped IPv6 (`::ffff:127.0.0.2`) unwrapped. */
export function clientAddress(conn: unknown): string {
  const address = (conn as { remoteAddress?: string } | undefined)?.remoteAddress;
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
