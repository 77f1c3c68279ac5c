import { createHash } from 'node:crypto';
import { quoteIdent } from '../influxql.js';

/*
 * The rollups citypulse keeps beside raw readings on InfluxDB 1.x, and the InfluxQL that makes
 * them. Pure (no I/O): ensure-retention.ts and backfill-rollups.ts run these statements.
 *
 * A rollup point holds, per numeric field f of the raw points in its interval (and per series:
 * every tag is kept), mean_f, min_f, max_f, sum_f and count_f — the names InfluxDB 1.x gives
 * `mean(*)` … `count(*)`. sum and count let a coarser interval be read back exactly: its mean is
 * sum(sum_f) / sum(count_f), not a mean of means.
 */

export type RollupName = '1m' | '1h';

export interface Rollup {
  name: RollupName;
  /** The retention policy the rollup is written to. */
  retentionPolicy: string;
  /** Length of one rollup interval, InfluxQL and ms. */
  interval: string;
  intervalMs: number;
  /**
   * RESAMPLE EVERY … FOR … of its continuous query: how often it runs and how far back it
   * recomputes, so readings arriving late (an ingest retry, a redelivered batch) are still counted.
   */
  every: string;
  for: string;
}

/**
 * Coarsest first. Both are computed from raw readings (a wildcard rollup of a rollup would name its fields
 * mean_mean_f).
 */
export const ROLLUPS: readonly Rollup[] = [
  // The current hour is recomputed every 15 minutes, so a long chart's newest interval lags by at most that.
  { name: '1h', retentionPolicy: 'rollup_1h', interval: '1h', intervalMs: 3_600_000, every: '15m', for: '2h' },
  { name: '1m', retentionPolicy: 'rollup_1m', interval: '1m', intervalMs: 60_000, every: '1m', for: '5m' },
];

/** Prefix of the continuous queries citypulse owns; anything else on the database is left alone. */
export const CQ_PREFIX = 'cp_rollup_';

/**
 * InfluxDB 1.x's own default shard-group length for a retention duration (as CREATE RETENTION
 * POLICY without SHARD DURATION would pick), set explicitly so that ALTER keeps it consistent:
 * a raw policy shortened to 1d must not keep the 7d shards it had at INF.
 */
export function shardDurationFor(durationMs: number): string {
  if (durationMs < 2 * 86_400_000) return '1h';
  if (durationMs <= 182 * 86_400_000) return '1d';
  return '7d';
}

/** `"db"."rp"."m1", "db"."rp"."m2"` */
function sources(database: string, rawPolicy: string, measurements: readonly string[]): string {
  return measurements.map((m) => `${quoteIdent(database)}.${quoteIdent(rawPolicy)}.${quoteIdent(m)}`).join(', ');
}

/** SELECT … INTO the rollup from raw; `where` restricts time (a backfill), none for a continuous query. */
export function rollupSelect(
  database: string,
  rawPolicy: string,
  rollup: Rollup,
  measurements: readonly string[],
  where?: string,
): string {
  // GROUP BY * keeps every tag a tag in the rollup (without it INTO would turn them into fields).
  return (
    `SELECT mean(*), min(*), max(*), sum(*), count(*) ` +
    `INTO ${quoteIdent(database)}.${quoteIdent(rollup.retentionPolicy)}.:MEASUREMENT ` +
    `FROM ${sources(database, rawPolicy, measurements)}${where ? ` WHERE ${where}` : ''} GROUP BY ` +
    `time(${rollup.interval}), *`
  );
}

export interface ContinuousQuery {
  name: string;
  statement: string;
}

/**
 * The continuous query keeping a rollup current. Its name carries a hash of its text, so a
 * changed query (other measurements, raw policy or resampling) is a new name: the start-up drops
 * the old one and creates this — creating an existing CQ with the same text is a no-op on 1.x,
 * with another text an error.
 */
export function continuousQuery(
  database: string,
  rawPolicy: string,
  rollup: Rollup,
  measurements: readonly string[],
): ContinuousQuery {
  const body =
    `RESAMPLE EVERY ${rollup.every} FOR ${rollup.for} ` +
    `BEGIN ${rollupSelect(database, rawPolicy, rollup, measurements)} END`;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
  const name = `${CQ_PREFIX}${rollup.name}_${hash}`;
  return { name, statement: `CREATE CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(database)} ${body}` };
}
