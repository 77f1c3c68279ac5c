import type { InfluxQueryClient } from '../query-client.js';
import { quoteIdent } from '../influxql.js';
import {
  continuousQueries,
  CQ_PREFIX,
  ROLLUPS,
  shardDurationFor,
  type RolledMeasurements,
  type RollupName,
} from './rollups.js';
import { showRetentionPolicies } from './retention-policies.js';

/** A retention duration: InfluxQL text (`30d`, `INF`) and length in ms (Infinity for INF). */
export interface Duration {
  influxql: string;
  ms: number;
}

export interface RetentionPlan {
  database: string;
  /** How long raw readings are kept: the database's default retention policy, which readings are written to. */
  raw: Duration;
  rollups: Record<RollupName, Duration>;
  /** The measurements rolled up (device families) and their fields; others in the database (alerts) are not. */
  measurements: RolledMeasurements;
}

export interface RetentionSetupResult {
  /** The raw readings' policy: the database default, as writes and queries without a policy use it. */
  rawPolicy: string;
  /** Continuous queries created (existing ones with the same text are left as they are). */
  continuousQueries: string[];
  /** Outdated citypulse continuous queries dropped. */
  dropped: string[];
}

/**
 * Sets up retention and rollups on InfluxDB 1.x, idempotently (every start runs it; two processes
 * at once end in the same state):
 *
 * - the database (CREATE DATABASE is a no-op when it exists);
 * - raw readings: the database's DEFAULT policy is altered to the configured duration. It stays
 *   the default and keeps its name (autogen on a database CREATE DATABASE made), so the writers,
 *   which name no policy, and every query, keep reading and writing the data already there —
 *   making a new policy the default would hide the existing points from queries without a policy;
 * - a policy per rollup (rollup_1m, rollup_1h), created or altered to its duration;
 * - the continuous queries of the rollups kept by one (the hourly; ingest computes the 1-minute
 *   rollup, rollups.ts); an outdated one of citypulse's is dropped.
 */
export async function ensureRetention(client: InfluxQueryClient, plan: RetentionPlan): Promise<RetentionSetupResult> {
  const db = quoteIdent(plan.database);
  const run = (statement: string) => client.query(statement, { db: plan.database });
  await run(`CREATE DATABASE ${db}`);

  const policies = await showRetentionPolicies(client, plan.database);
  const rawPolicy = policies.find((p) => p.default)?.name;
  if (rawPolicy === undefined) {
    // A database made WITH no default policy: make one, named as 1.x names its own.
    await run(`CREATE RETENTION POLICY "autogen" ON ${db} ${policyClause(plan.raw)} DEFAULT`);
  } else {
    await run(`ALTER RETENTION POLICY ${quoteIdent(rawPolicy)} ON ${db} ${policyClause(plan.raw)}`);
  }
  const raw = rawPolicy ?? 'autogen';

  for (const rollup of ROLLUPS) {
    const duration = plan.rollups[rollup.name];
    const exists = policies.some((p) => p.name === rollup.retentionPolicy);
    const alter = `ALTER RETENTION POLICY ${quoteIdent(rollup.retentionPolicy)} ON ${db} ${policyClause(duration)}`;
    if (exists) await run(alter);
    // Another process may create it between SHOW and CREATE: then it exists, and ALTER sets the duration.
    else {
      await run(
        `CREATE RETENTION POLICY ${quoteIdent(rollup.retentionPolicy)} ON ${db} ${policyClause(duration)}`,
      ).catch((error: unknown) => {
        if (error instanceof Error && /already exists/.test(error.message)) return run(alter);
        throw error;
      });
    }
  }

  const wanted = ROLLUPS.flatMap((rollup) => continuousQueries(plan.database, raw, rollup, plan.measurements));
  const existing = await continuousQueryNames(client, plan.database);
  const dropped = existing.filter((name) => name.startsWith(CQ_PREFIX) && !wanted.some((cq) => cq.name === name));
  // Dropping a CQ that is already gone succeeds on 1.x, so two processes may both drop it.
  for (const name of dropped) await run(`DROP CONTINUOUS QUERY ${quoteIdent(name)} ON ${db}`);
  for (const cq of wanted) await run(cq.statement);
  return { rawPolicy: raw, continuousQueries: wanted.map((cq) => cq.name), dropped };
}

/** In CREATE's order (ALTER takes any): DURATION, REPLICATION, SHARD DURATION. */
function policyClause(duration: Duration): string {
  return `DURATION ${duration.influxql} REPLICATION 1 SHARD DURATION ${shardDurationFor(duration.ms)}`;
}

/** SHOW CONTINUOUS QUERIES lists every database's; the series named after ours holds its names. */
export async function continuousQueryNames(client: InfluxQueryClient, database: string): Promise<string[]> {
  const series = await client.series('SHOW CONTINUOUS QUERIES', { db: database });
  const ours = series.find((s) => s.name === database);
  const at = ours?.columns.indexOf('name') ?? -1;
  return at < 0 ? [] : (ours?.values ?? []).map((values) => String(values[at]));
}
