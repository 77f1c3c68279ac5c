import type { RedisClient } from '@citypulse/redis';
import type { Webhook } from './webhook.js';

/** Webhooks in Redis: one hash of id → JSON. Read on every delivery, so changes apply at once. */
export class WebhookRepository {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:webhooks`;
  }

  async list(): Promise<Webhook[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as Webhook);
  }

  async get(id: string): Promise<Webhook | null> {
    const json = await this.redis.hget(this.key, id);
    return json ? (JSON.parse(json) as Webhook) : null;
  }

  async create(webhook: Webhook): Promise<boolean> {
    return (await this.redis.hsetnx(this.key, webhook.id, JSON.stringify(webhook))) === 1;
  }

  async put(webhook: Webhook): Promise<void> {
    await this.redis.hset(this.key, webhook.id, JSON.stringify(webhook));
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.hdel(this.key, id)) === 1;
  }
}
