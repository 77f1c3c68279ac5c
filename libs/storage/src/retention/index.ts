export {
  ROLLUPS,
  CQ_PREFIX,
  shardDurationFor,
  rollupSelect,
  continuousQuery,
  type Rollup,
  type RollupName,
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
