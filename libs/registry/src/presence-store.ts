import type { Redis } from 'ioredis';

export interface Presence {
  online: boolean;
  brokerId?: string;
  connectedSince?: string;
  lastSeen?: string;
}

/** Online/offline state per device, written by brokers on connect and disconnect. */
export class PresenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(id: string): string {
    return `${this.prefix}:presence:${id}`;
  }

  /** `connectionId` identifies this one connection (broker id + a per-broker counter). */
  async markOnline(id: string, brokerId: string, connectionId: string, at = new Date()): Promise<void> {
    const now = at.toISOString();
    await this.redis.hset(this.key(id), { online: '1', brokerId, connectionId, connectedSince: now, lastSeen: now });
  }

  async markOffline(id: string, connectionId: string, at = new Date()): Promise<void> {
    // Only the connection that marked the device online may mark it offline: after a takeover
    // (same or another broker) the old connection's late disconnect must not flip it back.
    await this.redis.eval(
      `if redis.call('HGET', KEYS[1], 'connectionId') == ARGV[1] then redis.call('HSET', KEYS[1], 'online', '0', 'lastSeen', ARGV[2]) end`,
      1,
      this.key(id),
      connectionId,
      at.toISOString(),
    );
  }

  async get(id: string): Promise<Presence> {
    const h = await this.redis.hgetall(this.key(id));
    return { online: h.online === '1', brokerId: h.brokerId, connectedSince: h.connectedSince, lastSeen: h.lastSeen };
  }
}
