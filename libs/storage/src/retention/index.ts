export {
  ROLLUPS,
  ROLLUPS_FINEST_FIRST,
  CQ_PREFIX,
  shardDurationFor,
  rollupNamed,
  lastComputedAfterMs,
  rollupStatements,
  continuousQueries,
  type Rollup,
  type ContinuousSchedule,
  type IngestSchedule,
  type RollupName,
  type RollupFieldKind,
  type RolledMeasurements,
  type RollupStatement,
  type ContinuousQuery,
} from './rollups.js';
export { showRetentionPolicies, influxDurationMs, type RetentionPolicyInfo } from './retention-policies.js';
export {
  ensureRetention,
  continuousQueryNames,
  type RetentionPlan,
  type RetentionSetupResult,
  type Duration,
} from './ensure-retention.js';
export { backfillRollups, type BackfillOptions, type BackfillResult } from './backfill-rollups.js';
