import { slotTag, type RedisClient } from '@citypulse/redis';
import type { RuleDefinition } from '@citypulse/rules';

/**
 * Operator-managed rules in Redis: a hash of rule id → rule JSON, and a version counter bumped
 * by every change. Workers compare the version once per job (one GET) and reload on change, so a
 * rule change applies to every job that starts after it — no pub/sub message to miss, no TTL to wait.
 */
export class RuleRepository {
  private readonly key: string;
  private readonly versionKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    // One hash tag: a change and its version bump are one MULTI (one slot on a Redis Cluster).
    this.key = `${slotTag(prefix, 'rules')}:rules`;
    this.versionKey = `${slotTag(prefix, 'rules')}:version`;
  }

  async list(): Promise<RuleDefinition[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as RuleDefinition);
  }

  async get(id: string): Promise<RuleDefinition | null> {
    const json = await this.redis.hget(this.key, id);
    return json ? (JSON.parse(json) as RuleDefinition) : null;
  }

  /** Creates the rule; false when the id is taken. */
  async create(rule: RuleDefinition): Promise<boolean> {
    const created = await this.redis.hsetnx(this.key, rule.id, JSON.stringify(rule));
    if (created === 1) await this.redis.incr(this.versionKey);
    return created === 1;
  }

  /** Creates or replaces the rule. */
  async put(rule: RuleDefinition): Promise<void> {
    await this.redis.multi().hset(this.key, rule.id, JSON.stringify(rule)).incr(this.versionKey).exec();
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.key, id).incr(this.versionKey).exec()) as [[unknown, number], unknown];
    return removed === 1;
  }

  /** Changes whenever any rule changes; '0' before the first change. */
  async version(): Promise<string> {
    return (await this.redis.get(this.versionKey)) ?? '0';
  }
}
