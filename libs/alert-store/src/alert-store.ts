import type { Redis } from 'ioredis';
import type { Alert, AlertState, RaiseAlert } from './alert.js';

/**
 * Alerts in Redis: a JSON document per alert, a pointer from (rule, device) to its current
 * alert (enforcing one open alert per pair), and a time-ordered index per state for listing.
 */
export class AlertStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private alertKey(id: string) {
    return `${this.prefix}:alert:${id}`;
  }
  private currentKey(ruleId: string, deviceId: string) {
    return `${this.prefix}:alert:current:${ruleId}:${deviceId}`;
  }
  private indexKey(state: AlertState | 'all') {
    return `${this.prefix}:alerts:${state}`;
  }

  /** The id of the alert a (rule, device) opened at `atMs`: deterministic, so replays find it. */
  static alertId(ruleId: string, deviceId: string, atMs: number): string {
    return `${ruleId}:${deviceId}:${atMs}`;
  }

  /**
   * Opens the alert unless it exists already (idempotent: a redelivered transition is a no-op).
   * The (rule, device) pointer makes "one open alert per pair" visible to readers.
   */
  async raise(input: RaiseAlert): Promise<{ alert: Alert; created: boolean }> {
    const id = AlertStore.alertId(input.ruleId, input.deviceId, input.atMs);
    const at = new Date(input.atMs).toISOString();
    const alert: Alert = {
      id,
      ruleId: input.ruleId,
      deviceId: input.deviceId,
      deviceType: input.deviceType,
      city: input.city,
      site: input.site,
      field: input.field,
      severity: input.severity,
      state: 'open',
      description: input.description,
      openedAt: at,
      lastValue: input.value,
      peakValue: input.value,
      count: 1,
      updatedAt: new Date().toISOString(),
    };
    const created = await this.redis.set(this.alertKey(id), JSON.stringify(alert), 'NX');
    if (created !== 'OK') return { alert: (await this.get(id))!, created: false };
    await this.redis
      .multi()
      .set(this.currentKey(input.ruleId, input.deviceId), id)
      .zadd(this.indexKey('open'), input.atMs, id)
      .zadd(this.indexKey('all'), input.atMs, id)
      .exec();
    return { alert, created: true };
  }

  async current(ruleId: string, deviceId: string): Promise<Alert | null> {
    const id = await this.redis.get(this.currentKey(ruleId, deviceId));
    return id ? this.get(id) : null;
  }

  async get(id: string): Promise<Alert | null> {
    const json = await this.redis.get(this.alertKey(id));
    return json ? (JSON.parse(json) as Alert) : null;
  }

  /** Records another reading on an open alert (count, last and peak value) instead of a new alert. */
  async recordRepeat(id: string, latest: { value: number; peak: number; count: number }): Promise<void> {
    const alert = await this.get(id);
    if (!alert || alert.state === 'resolved') return;
    alert.count = latest.count;
    alert.lastValue = latest.value;
    alert.peakValue = latest.peak;
    alert.updatedAt = new Date().toISOString();
    await this.redis.set(this.alertKey(id), JSON.stringify(alert));
  }

  /** Resolves the alert; resolving a resolved or unknown alert changes nothing. */
  async resolve(id: string, atMs: number, value: number): Promise<Alert | null> {
    const alert = await this.get(id);
    if (!alert || alert.state === 'resolved') return null;
    const previousState = alert.state;
    alert.state = 'resolved';
    alert.lastValue = value;
    alert.resolvedAt = new Date(atMs).toISOString();
    alert.updatedAt = new Date().toISOString();
    await this.redis
      .multi()
      .set(this.alertKey(id), JSON.stringify(alert))
      .eval(`if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`, 1, this.currentKey(alert.ruleId, alert.deviceId), id)
      .zrem(this.indexKey(previousState), id)
      .zadd(this.indexKey('resolved'), atMs, id)
      .exec();
    return alert;
  }

  /** Newest first. */
  async list({ state, limit = 100, offset = 0 }: { state?: AlertState; limit?: number; offset?: number } = {}): Promise<{ items: Alert[]; total: number }> {
    const index = this.indexKey(state ?? 'all');
    const [ids, total] = await Promise.all([this.redis.zrevrange(index, offset, offset + limit - 1), this.redis.zcard(index)]);
    if (ids.length === 0) return { items: [], total };
    const docs = await this.redis.mget(ids.map((id) => this.alertKey(id)));
    return { items: docs.filter((d): d is string => d !== null).map((d) => JSON.parse(d) as Alert), total };
  }
}
