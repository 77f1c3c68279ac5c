import type { EnvSchema } from './env.schema.js';

/** A retention duration as InfluxQL writes it (`30d`, `26w`, `INF`) and its length (Infinity for INF). */
export interface RetentionDuration {
  influxql: string;
  ms: number;
}

/** How long raw readings and their 1-minute and 1-hour rollups are kept, and whether citypulse sets that up itself. */
export interface RetentionConfig {
  /** false: citypulse leaves retention policies and continuous queries alone (an operator manages them). */
  manage: boolean;
  raw: RetentionDuration;
  oneMinute: RetentionDuration;
  oneHour: RetentionDuration;
}

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * `30d` → { influxql: '30d', ms }; `INF` → Infinity. The text is already shape-checked (env.schema.ts: at least 1h,
 * InfluxDB's shortest).
 */
export function parseRetention(text: string): RetentionDuration {
  if (text === 'INF') return { influxql: 'INF', ms: Number.POSITIVE_INFINITY };
  return { influxql: text, ms: Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1)] };
}

export function toRetentionConfig(e: EnvSchema): RetentionConfig {
  return {
    manage: e.CP_RETENTION_MANAGE === 'true',
    raw: parseRetention(e.CP_RETENTION_RAW),
    oneMinute: parseRetention(e.CP_RETENTION_1M),
    oneHour: parseRetention(e.CP_RETENTION_1H),
  };
}
