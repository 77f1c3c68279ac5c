import { createHash } from 'node:crypto';
import { quoteIdent } from '../influxql.js';

/*
 * The rollups citypulse keeps beside raw readings on InfluxDB 1.x, and the InfluxQL that makes
 * them. Pure (no I/O): ensure-retention.ts, backfill-rollups.ts and ingest's minute-rollups and
 * late-rollups services run these statements.
 *
 * A rollup point holds, per field f of the points in its interval (and per series: every tag is
 * kept), what InfluxDB 1.x's `min(*)`, `max(*)`, `sum(*)`, `count(*)` give a raw point's field:
 * min_f, max_f, sum_f and count_f of a number; min_f, max_f and count_f of a boolean; count_f of a
 * string — and the hourly one mean_f of a number too. sum and count let any coarser interval be
 * computed exactly: its mean is sum(sum_f) / sum(count_f), not a mean of means. The 1-minute
 * rollup has no mean_f: each aggregate function is one more scan of the raw readings (a minute of
 * 6 million readings: 22 s with mean(*), 18 s without; README, *The rollups' share of InfluxDB's cost*).
 */

export type RollupName = '1m' | '1h';

/** A rollup kept current by a continuous query on InfluxDB. */
export interface ContinuousSchedule {
  kind: 'continuous-query';
  /**
   * RESAMPLE EVERY … FOR …: how often it runs and how far back it recomputes. Every run reads all
   * of its source in that window again.
   */
  every: string;
  for: string;
  forMs: number;
}

/**
 * A rollup computed once per interval by an ingest process (minute-rollups.service.ts): a
 * continuous query computes an interval when it ends, before the readings of its last moments are
 * stored, so it must compute each interval twice; this computes it once, settleMs after it ended.
 */
export interface IngestSchedule {
  kind: 'ingest';
  settleMs: number;
}

export interface Rollup {
  name: RollupName;
  /** The retention policy the rollup is written to. */
  retentionPolicy: string;
  /** Length of one rollup interval, InfluxQL and ms. */
  interval: string;
  intervalMs: number;
  schedule: ContinuousSchedule | IngestSchedule;
  /** What it is computed from: raw readings, or a finer rollup (far fewer points to read). */
  source: 'raw' | RollupName;
}

/**
 * Coarsest first (a query answered from a rollup takes the coarsest that fits).
 *
 * - 1m, of raw readings, written by the ingest process that stored them 30 s after each minute
 *   ended (ingested-minutes.service.ts), or computed from the raw readings 15 s later for a minute
 *   it did not have whole (minute-rollups.service.ts). A reading stored later than that (a device's
 *   buffered upload, a backlog drained after an outage) has its minute recomputed from raw
 *   readings (late-rollups.service.ts).
 * - 1h, from the 1-minute rollup (sixty times fewer points than raw), by a continuous query every
 *   15 minutes over the last 2 hours: the current hour is recomputed every 15 minutes, and an hour
 *   until its minutes are final.
 */
export const ROLLUPS: readonly Rollup[] = [
  {
    name: '1h',
    retentionPolicy: 'rollup_1h',
    interval: '1h',
    intervalMs: 3_600_000,
    schedule: { kind: 'continuous-query', every: '15m', for: '2h', forMs: 7_200_000 },
    source: '1m',
  },
  {
    name: '1m',
    retentionPolicy: 'rollup_1m',
    interval: '1m',
    intervalMs: 60_000,
    schedule: { kind: 'ingest', settleMs: 30_000 },
    source: 'raw',
  },
];

/**
 * How long after an interval began its rollup is computed for the last time by its schedule: a
 * continuous query's run at t covers [t − FOR, t), so the interval starting at S is covered whole
 * by runs up to S + FOR; an ingest-scheduled one is computed at S + interval + settle.
 */
export function lastComputedAfterMs(rollup: Rollup): number {
  const { schedule } = rollup;
  return schedule.kind === 'continuous-query' ? schedule.forMs : rollup.intervalMs + schedule.settleMs;
}

/** Finest first: the order rollups are computed in, each before the ones computed from it. */
export const ROLLUPS_FINEST_FIRST: readonly Rollup[] = [...ROLLUPS].sort((a, b) => a.intervalMs - b.intervalMs);

export function rollupNamed(name: RollupName): Rollup {
  const rollup = ROLLUPS.find((r) => r.name === name);
  if (!rollup) throw new Error(`no rollup ${name}`);
  return rollup;
}

/** How a field is summarised: by InfluxDB field type, as `mean(*)` … `count(*)` treat it. */
export type RollupFieldKind = 'number' | 'boolean' | 'string';

/**
 * The measurements rolled up and their fields. A rollup of raw readings takes every field (a
 * wildcard), but one of a rollup must name them: a wildcard over mean_f, min_f … would name its
 * results mean_mean_f, and sum(count_f) is not count(count_f).
 */
export type RolledMeasurements = Readonly<Record<string, Readonly<Record<string, RollupFieldKind>>>>;

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

function qualified(database: string, policy: string, measurement: string): string {
  return `${quoteIdent(database)}.${quoteIdent(policy)}.${quoteIdent(measurement)}`;
}

/** One rollup statement, with the measurements it reads (a repair runs only those it needs). */
export interface RollupStatement {
  measurements: readonly string[];
  /** SELECT … INTO, without a time condition when `where` was not given (a continuous query's). */
  select: string;
}

/**
 * The SELECT … INTO statements computing a rollup of the given measurements: one over all of them
 * from raw readings, or one per measurement from a finer rollup (their fields differ). `where`
 * restricts time (a backfill or a repair); none for a continuous query.
 */
export function rollupStatements(
  database: string,
  rawPolicy: string,
  rollup: Rollup,
  measurements: RolledMeasurements,
  where?: string,
): RollupStatement[] {
  const names = Object.keys(measurements).sort();
  const condition = where ? ` WHERE ${where}` : '';
  // GROUP BY * keeps every tag a tag in the rollup (without it INTO would turn them into fields).
  const groupBy = ` GROUP BY time(${rollup.interval}), *`;
  if (rollup.source === 'raw') {
    const from = names.map((m) => qualified(database, rawPolicy, m)).join(', ');
    const select =
      `SELECT min(*), max(*), sum(*), count(*) ` +
      `INTO ${quoteIdent(database)}.${quoteIdent(rollup.retentionPolicy)}.:MEASUREMENT FROM ${from}`;
    return [{ measurements: names, select: select + condition + groupBy }];
  }
  const source = rollupNamed(rollup.source);
  return names.map((measurement) => ({
    measurements: [measurement],
    select:
      `SELECT ${ofFinerRollup(measurements[measurement])} ` +
      `INTO ${qualified(database, rollup.retentionPolicy, measurement)} ` +
      `FROM ${qualified(database, source.retentionPolicy, measurement)}${condition}${groupBy}`,
  }));
}

/** A coarser interval's summary of a finer rollup's points, under the names a rollup of raw points has. */
function ofFinerRollup(fields: Readonly<Record<string, RollupFieldKind>>): string {
  const parts: string[] = [];
  for (const field of Object.keys(fields).sort()) {
    const q = (what: string) => quoteIdent(`${what}_${field}`);
    const kind = fields[field];
    if (kind === 'number') parts.push(`sum(${q('sum')}) / sum(${q('count')}) AS ${q('mean')}`);
    if (kind !== 'string') parts.push(`min(${q('min')}) AS ${q('min')}`, `max(${q('max')}) AS ${q('max')}`);
    if (kind === 'number') parts.push(`sum(${q('sum')}) AS ${q('sum')}`);
    parts.push(`sum(${q('count')}) AS ${q('count')}`);
  }
  return parts.join(', ');
}

export interface ContinuousQuery {
  name: string;
  statement: string;
}

/**
 * The continuous queries keeping a rollup current, one per statement (none for a rollup ingest
 * computes). A name carries a hash of its text, so a changed query (other measurements or fields,
 * raw policy or resampling) is a new name: the start-up drops the old one and creates this —
 * creating an existing CQ with the same text is a no-op on 1.x, with another text an error.
 */
export function continuousQueries(
  database: string,
  rawPolicy: string,
  rollup: Rollup,
  measurements: RolledMeasurements,
): ContinuousQuery[] {
  const { schedule } = rollup;
  if (schedule.kind !== 'continuous-query') return [];
  return rollupStatements(database, rawPolicy, rollup, measurements).map((statement) => {
    const body = `RESAMPLE EVERY ${schedule.every} FOR ${schedule.for} BEGIN ${statement.select} END`;
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
    // One per measurement from a finer rollup: its name says which.
    const of = rollup.source === 'raw' ? '' : `${statement.measurements[0]}_`;
    const name = `${CQ_PREFIX}${rollup.name}_${of}${hash}`;
    return { name, statement: `CREATE CONTINUOUS QUERY ${quoteIdent(name)} ON ${quoteIdent(database)} ${body}` };
  });
}
