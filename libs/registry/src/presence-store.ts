import { RegistryKeys } from './keys.js';
import { luaScript, type RedisClient } from '@citypulse/redis';
import type { CityCounts, OfflineReason, Presence } from './presence.js';
import { MARK_OFFLINE, MARK_ONLINE, RELEASE_BROKER } from './presence-scripts.js';

/**
 * Online/offline state per device, written by brokers on connect and disconnect, with a set of
 * online ids (for the `online` filter and per-city counts) and an event on every change
 * (RegistryKeys.presenceChannel). Each broker also keeps the ids it holds online and a heartbeat,
 * so when one dies the others can mark its devices offline.
 */
export class PresenceStore {
  readonly keys: RegistryKeys;
  private readonly markOnlineScript;
  private readonly markOfflineScript;
  private readonly releaseBrokerScript;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.keys = new RegistryKeys(prefix);
    this.markOnlineScript = luaScript(redis, 'presence_online', MARK_ONLINE);
    this.markOfflineScript = luaScript(redis, 'presence_offline', MARK_OFFLINE);
    this.releaseBrokerScript = luaScript(redis, 'presence_release_broker', RELEASE_BROKER);
  }

  /** `connectionId` identifies this one connection (broker id + a per-broker counter). */
  async markOnline(
    device: { id: string; city: string },
    brokerId: string,
    connectionId: string,
    at = new Date(),
  ): Promise<void> {
    const k = this.keys;
    await this.markOnlineScript(
      [k.presence(device.id), k.online, k.brokerDevices(brokerId), k.brokers],
      [device.id, brokerId, connectionId, at.toISOString(), device.city, k.presenceChannel, k.tag],
    );
  }

  /** Resolves true if this connection was still the device's current one (and so it went offline). */
  async markOffline(
    id: string,
    connectionId: string,
    reason: OfflineReason,
    lastWill = false,
    at = new Date(),
  ): Promise<boolean> {
    const k = this.keys;
    const changed = await this.markOfflineScript(
      [k.presence(id), k.online],
      [id, connectionId, at.toISOString(), reason, lastWill ? '1' : '0', k.presenceChannel, k.tag],
    );
    return changed === 1;
  }

  async get(id: string): Promise<Presence> {
    return toPresence(await this.redis.hgetall(this.keys.presence(id)));
  }

  async getMany(ids: readonly string[]): Promise<Presence[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.presence(id));
    return ((await pipeline.exec()) ?? []).map(([, hash]) => toPresence((hash as Record<string, string>) ?? {}));
  }

  /** Online and offline devices per city (of `cities`, or every city with devices). */
  async countsByCity(cities?: readonly string[]): Promise<Record<string, CityCounts>> {
    const names = [...(cities ?? (await this.redis.smembers(this.keys.cities)))].sort();
    const pipeline = this.redis.pipeline();
    for (const city of names) {
      pipeline.zcard(this.keys.cityIndex(city));
      // Sets intersect with sorted sets here; cost is linear in the smaller one.
      pipeline.zintercard(2, this.keys.cityIndex(city), this.keys.online);
    }
    const results = (await pipeline.exec()) ?? [];
    const counts: Record<string, CityCounts> = {};
    names.forEach((city, i) => {
      const total = results[2 * i]?.[1] as number;
      const online = results[2 * i + 1]?.[1] as number;
      if (total > 0) counts[city] = { online, offline: total - online };
    });
    return counts;
  }

  /** A broker's liveness: renewed every period, gone `ttlMs` after the last renewal. */
  async heartbeat(brokerId: string, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.brokerAlive(brokerId), '1', 'PX', ttlMs)
      .sadd(this.keys.brokers, brokerId)
      .exec();
  }

  /** Brokers whose heartbeat has not lapsed: the ones serving devices now. */
  async liveBrokers(): Promise<string[]> {
    return (await this.brokersByLiveness()).live;
  }

  /**
   * Marks offline the devices of every broker whose heartbeat lapsed; returns how many. Idempotent, so every broker may
   * run it.
   */
  async sweepDeadBrokers(at = new Date()): Promise<number> {
    const { dead } = await this.brokersByLiveness();
    let released = 0;
    for (const broker of dead) released += await this.releaseBroker(broker, 'broker_lost', at);
    return released;
  }

  private async brokersByLiveness(): Promise<{ live: string[]; dead: string[] }> {
    const brokers = await this.redis.smembers(this.keys.brokers);
    if (brokers.length === 0) return { live: [], dead: [] };
    const alive = await this.redis.pipeline(brokers.map((b) => ['exists', this.keys.brokerAlive(b)])).exec();
    return {
      live: brokers.filter((_, i) => alive?.[i]?.[1] === 1),
      dead: brokers.filter((_, i) => alive?.[i]?.[1] === 0),
    };
  }

  /** Marks offline whatever this broker still holds online (on shutdown), and forgets its heartbeat. */
  async releaseBroker(brokerId: string, reason: OfflineReason, at = new Date()): Promise<number> {
    const k = this.keys;
    const released = (await this.releaseBrokerScript(
      [k.brokerDevices(brokerId), k.brokers, k.online],
      [brokerId, at.toISOString(), reason, k.presenceChannel, k.tag],
    )) as number;
    await this.redis.del(k.brokerAlive(brokerId));
    return released;
  }
}

function toPresence(h: Record<string, string>): Presence {
  return {
    online: h.online === '1',
    ...(h.brokerId ? { brokerId: h.brokerId } : {}),
    ...(h.connectedSince ? { connectedSince: h.connectedSince } : {}),
    ...(h.lastSeen ? { lastSeen: h.lastSeen } : {}),
    ...(h.offlineReason ? { offlineReason: h.offlineReason as OfflineReason } : {}),
    ...(h.lastWill !== undefined ? { lastWill: h.lastWill === '1' } : {}),
  };
}
