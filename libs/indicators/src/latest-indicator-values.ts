import { slotTag, type RedisClient } from '@citypulse/redis';
import type { IndicatorValue } from './indicator-value.js';

/**
 * The newest value of each indicator, in one Redis hash (indicator id → JSON), written by the
 * alerts worker that computes them and read by GET /indicators: the list answers without a query
 * to InfluxDB, which holds the history (`cluster_indicator`).
 */
export class LatestIndicatorValues {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${slotTag(prefix, 'indicators')}:latest`;
  }

  async put(value: IndicatorValue): Promise<void> {
    await this.redis.hset(this.key, value.indicator, JSON.stringify(value));
  }

  async all(): Promise<Map<string, IndicatorValue>> {
    const hash = await this.redis.hgetall(this.key);
    return new Map(Object.entries(hash).map(([id, json]) => [id, JSON.parse(json) as IndicatorValue]));
  }

  async get(indicator: string): Promise<IndicatorValue | undefined> {
    const json = await this.redis.hget(this.key, indicator);
    return json ? (JSON.parse(json) as IndicatorValue) : undefined;
  }
}
