import type { InfluxQueryClient } from '../query-client.js';
import {
  ROLLUPS_FINEST_FIRST,
  rollupNamed,
  rollupStatements,
  type RolledMeasurements,
  type RollupName,
} from './rollups.js';
import { influxDurationMs, showRetentionPolicies } from './retention-policies.js';

export interface BackfillOptions {
  database: string;
  measurements: RolledMeasurements;
  fromMs: number;
  toMs: number;
  /** Which rollups; all by default. */
  rollups?: readonly RollupName[];
  /** Time per statement, so one statement never has to hold a long range in memory. @defaultValue 1 day */
  chunkMs?: number;
  /** Called after each statement (progress for a CLI). */
  onChunk?: (progress: { rollup: RollupName; fromMs: number; toMs: number; written: number }) => void;
  /** The time now, to tell whether a finer rollup still holds a range. @defaultValue Date.now() */
  nowMs?: number;
}

export interface BackfillResult {
  /** Rollup points written per rollup. */
  written: Record<RollupName, number>;
  /** The range actually rolled up: widened to whole intervals of the coarsest rollup. */
  fromMs: number;
  toMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Computes the rollups of an already stored range of raw readings (after an import or a restore,
 * or readings stored too late for the continuous queries: ingest's late-rollups.ts). Idempotent — a
 * rollup point has the series and interval start of what it summarises, so running it again
 * overwrites the same points.
 *
 * Finest first, each rollup's range widened to its whole intervals: the minutes touched, then the
 * hours holding them, from their (now complete) minutes. A range older than the finer rollup keeps
 * (CP_RETENTION_1M shorter than CP_RETENTION_RAW) is rolled up from raw readings instead.
 */
export async function backfillRollups(client: InfluxQueryClient, options: BackfillOptions): Promise<BackfillResult> {
  const policies = await showRetentionPolicies(client, options.database);
  const rawPolicy = policies.find((p) => p.default)?.name;
  if (rawPolicy === undefined)
    throw new Error(`database ${options.database} has no default retention policy (run the retention setup first)`);
  const nowMs = options.nowMs ?? Date.now();
  const keptSince = (policy: string) => {
    const info = policies.find((p) => p.name === policy);
    return info ? nowMs - influxDurationMs(info.duration) : Number.POSITIVE_INFINITY;
  };
  const written: Record<RollupName, number> = { '1m': 0, '1h': 0 };
  let [fromMs, toMs] = [options.fromMs, options.toMs];
  for (const rollup of ROLLUPS_FINEST_FIRST) {
    if (options.rollups && !options.rollups.includes(rollup.name)) continue;
    if (!policies.some((p) => p.name === rollup.retentionPolicy))
      throw new Error(
        `database ${options.database} has no retention policy ${rollup.retentionPolicy} (run the retention ` +
          `setup first)`,
      );
    const interval = rollup.intervalMs;
    const from = Math.floor(options.fromMs / interval) * interval;
    const to = Math.ceil(options.toMs / interval) * interval;
    [fromMs, toMs] = [Math.min(fromMs, from), Math.max(toMs, to)];
    const chunkMs = Math.max(interval, Math.floor((options.chunkMs ?? DAY_MS) / interval) * interval);
    const finer = rollup.source === 'raw' ? undefined : rollupNamed(rollup.source);
    for (let start = from; start < to; start += chunkMs) {
      const end = Math.min(to, start + chunkMs);
      // The finer rollup expired here (or its policy is missing): summarise the raw readings instead.
      const fromRaw = finer !== undefined && start < keptSince(finer.retentionPolicy);
      const statements = rollupStatements(
        options.database,
        rawPolicy,
        fromRaw ? { ...rollup, source: 'raw' } : rollup,
        options.measurements,
        `time >= ${start}ms AND time < ${end}ms`,
      );
      let count = 0;
      for (const { select } of statements) {
        const [row] = await client.query(select, { db: options.database });
        count += typeof row?.written === 'number' ? row.written : 0;
      }
      written[rollup.name] += count;
      options.onChunk?.({ rollup: rollup.name, fromMs: start, toMs: end, written: count });
    }
  }
  return { written, fromMs, toMs };
}
