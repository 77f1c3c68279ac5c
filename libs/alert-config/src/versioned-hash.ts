import { slotTag, type RedisClient } from '@citypulse/redis';

/**
 * Operator-managed entities in Redis: a hash of id → JSON, and a version counter bumped by every
 * change. Readers that cache the entities compare the version (one GET) and reload on change, so a
 * change applies to every job that starts after it — no pub/sub message to miss, no TTL to wait.
 * Both keys carry one hash tag, `{<prefix>:<group>}`: a change and its version bump are one MULTI
 * (one slot on a Redis Cluster).
 */
export class VersionedHash<T extends { id: string }> {
  private readonly key: string;
  private readonly versionKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    group: string,
    items: string,
  ) {
    this.key = `${slotTag(prefix, group)}:${items}`;
    this.versionKey = `${slotTag(prefix, group)}:version`;
  }

  async list(): Promise<T[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as T);
  }

  async get(id: string): Promise<T | null> {
    const json = await this.redis.hget(this.key, id);
    return json ? (JSON.parse(json) as T) : null;
  }

  /** Creates the entity; false when the id is taken. */
  async create(entity: T): Promise<boolean> {
    const created = await this.redis.hsetnx(this.key, entity.id, JSON.stringify(entity));
    if (created === 1) await this.redis.incr(this.versionKey);
    return created === 1;
  }

  /** Creates or replaces the entity. */
  async put(entity: T): Promise<void> {
    await this.redis.multi().hset(this.key, entity.id, JSON.stringify(entity)).incr(this.versionKey).exec();
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.key, id).incr(this.versionKey).exec()) as [
      [unknown, number],
      unknown,
    ];
    return removed === 1;
  }

  /** Changes whenever any entity changes; '0' before the first change. */
  async version(): Promise<string> {
    return (await this.redis.get(this.versionKey)) ?? '0';
  }
}
