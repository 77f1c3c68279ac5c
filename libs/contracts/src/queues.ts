/** BullMQ queue names. One place so producers and consumers cannot drift apart. */
export const QUEUES = {
  /** Batches of stored readings to evaluate against alert rules. */
  ruleEvaluation: 'rule-evaluation',
  /** Alert transitions (raised/resolved) to record and notify. */
  alertEvents: 'alert-events',
} as const;

import type { Reading } from './reading.js';

export interface RuleEvaluationJob {
  readings: Reading[];
}
