import type { InfluxQueryClient } from '../query-client.js';
import { quoteIdent } from '../influxql.js';

/** A retention policy as SHOW RETENTION POLICIES describes it. */
export interface RetentionPolicyInfo {
  name: string;
  /** As InfluxDB prints it, e.g. 720h0m0s; 0s is INF. */
  duration: string;
  shardGroupDuration: string;
  default: boolean;
}

/** The database's retention policies (InfluxDB 1.x, and 2.x's DBRP mappings through /query). */
export async function showRetentionPolicies(
  client: InfluxQueryClient,
  database: string,
): Promise<RetentionPolicyInfo[]> {
  const rows = await client.query(`SHOW RETENTION POLICIES ON ${quoteIdent(database)}`, { db: database });
  return rows.map((row) => ({
    name: String(row.name),
    duration: String(row.duration),
    shardGroupDuration: String(row.shardGroupDuration),
    default: row.default === true,
  }));
}

/** "720h0m0s" → ms; "0s" (INF) → Infinity. */
export function influxDurationMs(text: string): number {
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g))
    ms += Number(amount) * { h: 3_600_000, m: 60_000, s: 1000 }[unit as 'h' | 'm' | 's'];
  return ms === 0 ? Number.POSITIVE_INFINITY : ms;
}
