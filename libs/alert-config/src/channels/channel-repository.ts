import type { RedisClient } from '@citypulse/redis';
import type { Channel } from './channel.js';
import type { EscalationPolicy } from './escalation-policy.js';

/**
 * A city's channels and escalation policies in Redis: one hash per city and kind (id → JSON,
 * severity → JSON), so a city's records are looked up under its own name only — another city's
 * channel with the same id is a different record, and its existence never shows.
 * Read at every escalation step and delivery, so changes apply to the next one.
 */
export class ChannelRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private channelsKey(city: string): string {
    return `${this.prefix}:channels:${city}`;
  }

  private policiesKey(city: string): string {
    return `${this.prefix}:escalation-policies:${city}`;
  }

  async channels(city: string): Promise<Channel[]> {
    return Object.values(await this.redis.hgetall(this.channelsKey(city))).map((json) => JSON.parse(json) as Channel);
  }

  async channel(city: string, id: string): Promise<Channel | null> {
    const json = await this.redis.hget(this.channelsKey(city), id);
    return json ? (JSON.parse(json) as Channel) : null;
  }

  /** False when the city already has a channel with that id. */
  async createChannel(channel: Channel): Promise<boolean> {
    return (await this.redis.hsetnx(this.channelsKey(channel.city), channel.id, JSON.stringify(channel))) === 1;
  }

  async putChannel(channel: Channel): Promise<void> {
    await this.redis.hset(this.channelsKey(channel.city), channel.id, JSON.stringify(channel));
  }

  async removeChannel(city: string, id: string): Promise<boolean> {
    return (await this.redis.hdel(this.channelsKey(city), id)) === 1;
  }

  async policies(city: string): Promise<EscalationPolicy[]> {
    return Object.values(await this.redis.hgetall(this.policiesKey(city))).map(
      (json) => JSON.parse(json) as EscalationPolicy,
    );
  }

  async policy(city: string, severity: string): Promise<EscalationPolicy | null> {
    const json = await this.redis.hget(this.policiesKey(city), severity);
    return json ? (JSON.parse(json) as EscalationPolicy) : null;
  }

  async putPolicy(policy: EscalationPolicy): Promise<void> {
    await this.redis.hset(this.policiesKey(policy.city), policy.severity, JSON.stringify(policy));
  }

  async removePolicy(city: string, severity: string): Promise<boolean> {
    return (await this.redis.hdel(this.policiesKey(city), severity)) === 1;
  }
}
