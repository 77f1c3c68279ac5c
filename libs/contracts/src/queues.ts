/** BullMQ queue names. One place so producers and consumers cannot drift apart. */
export const QUEUES = {
  /** Batches of stored readings to evaluate against alert rules. */
  ruleEvaluation: 'rule-evaluation',
  /** Alert transitions (raised/resolved) to record and notify. */
  alertEvents: 'alert-events',
} as const;

import type { DeviceReadings } from './reading.js';

/** Stored readings to evaluate, grouped by device (a device appears once per job). */
export interface RuleEvaluationJob {
  devices: DeviceReadings[];
}
