import { slotTag, type RedisClient } from '@citypulse/redis';
import type { MaintenanceWindow } from './maintenance-window.js';

/**
 * Maintenance windows in Redis: a hash of id → JSON and a version counter bumped by every change
 * (as the rules keep theirs), so each alerts process caches the windows and re-reads them only
 * when the version moved — one GET per job.
 */
export class MaintenanceRepository {
  private readonly key: string;
  private readonly versionKey: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    // One hash tag: a change and its version bump are one MULTI (one slot on a Redis Cluster).
    this.key = `${slotTag(prefix, 'maintenance')}:windows`;
    this.versionKey = `${slotTag(prefix, 'maintenance')}:version`;
  }

  async list(): Promise<MaintenanceWindow[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as MaintenanceWindow);
  }

  async get(id: string): Promise<MaintenanceWindow | null> {
    const json = await this.redis.hget(this.key, id);
    return json ? (JSON.parse(json) as MaintenanceWindow) : null;
  }

  async put(window: MaintenanceWindow): Promise<void> {
    await this.redis.multi().hset(this.key, window.id, JSON.stringify(window)).incr(this.versionKey).exec();
  }

  async remove(id: string): Promise<boolean> {
    const [[, removed]] = (await this.redis.multi().hdel(this.key, id).incr(this.versionKey).exec()) as [[unknown, number], unknown];
    return removed === 1;
  }

  /** Changes whenever any window changes; '0' before the first change. */
  async version(): Promise<string> {
    return (await this.redis.get(this.versionKey)) ?? '0';
  }
}
