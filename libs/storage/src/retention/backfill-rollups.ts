import type { InfluxQueryClient } from '../query-client.js';
import { ROLLUPS, rollupSelect, type RollupName } from './rollups.js';
import { showRetentionPolicies } from './retention-policies.js';

export interface BackfillOptions {
  database: string;
  measurements: readonly string[];
  fromMs: number;
  toMs: number;
  /** Which rollups; all by default. */
  rollups?: readonly RollupName[];
  /** Raw time per statement, so one statement never has to hold a long range in memory. @defaultValue 1 day */
  chunkMs?: number;
  /** Called after each statement (progress for a CLI). */
  onChunk?: (progress: { rollup: RollupName; fromMs: number; toMs: number; written: number }) => void;
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
 * Computes the rollups of an already stored range of raw readings (after an import or a restore):
 * continuous queries only ever look back their FOR window. Idempotent — a rollup point has the
 * series and interval start of what it summarises, so running it again overwrites the same points.
 * The range is widened to whole hours so no rollup interval is written from a part of its data.
 */
export async function backfillRollups(client: InfluxQueryClient, options: BackfillOptions): Promise<BackfillResult> {
  const policies = await showRetentionPolicies(client, options.database);
  const rawPolicy = policies.find((p) => p.default)?.name;
  if (rawPolicy === undefined)
    throw new Error(`database ${options.database} has no default retention policy (run the retention setup first)`);
  const coarsest = Math.max(...ROLLUPS.map((r) => r.intervalMs));
  const fromMs = Math.floor(options.fromMs / coarsest) * coarsest;
  const toMs = Math.ceil(options.toMs / coarsest) * coarsest;
  const chunkMs = Math.max(coarsest, Math.floor((options.chunkMs ?? DAY_MS) / coarsest) * coarsest);
  const written: Record<RollupName, number> = { '1m': 0, '1h': 0 };
  for (const rollup of ROLLUPS) {
    if (options.rollups && !options.rollups.includes(rollup.name)) continue;
    if (!policies.some((p) => p.name === rollup.retentionPolicy))
      throw new Error(
        `database ${options.database} has no retention policy ${rollup.retentionPolicy} (run the retention ` +
          `setup first)`,
      );
    for (let start = fromMs; start < toMs; start += chunkMs) {
      const end = Math.min(toMs, start + chunkMs);
      const statement = rollupSelect(
        options.database,
        rawPolicy,
        rollup,
        options.measurements,
        `time >= ${start}ms AND time < ${end}ms`,
      );
      const [row] = await client.query(statement, { db: options.database });
      const count = typeof row?.written === 'number' ? row.written : 0;
      written[rollup.name] += count;
      options.onChunk?.({ rollup: rollup.name, fromMs: start, toMs: end, written: count });
    }
  }
  return { written, fromMs, toMs };
}
