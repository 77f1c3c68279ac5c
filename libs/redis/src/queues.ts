import { Queue, type DefaultJobOptions } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import type { QueueName } from '@citypulse/contracts';
import { bullConnection, bullPrefix } from './bull.js';

const exponential = (delay: number) => ({ type: 'exponential', delay });

/** Finished jobs kept for a look (GET /queues, the queue board), the oldest trimmed beyond these counts. */
const KEEP_FINISHED = { removeOnComplete: 10_000, removeOnFail: 10_000 };

/**
 * Each queue's job options — retries and how many finished jobs it keeps — in one place, so every
 * process adding to a queue (the alerts app and the API both add alert events) adds alike.
 */
export function queueJobDefaults(config: AppConfig): Record<QueueName, DefaultJobOptions> {
  // Webhook and channel deliveries: CP_NOTIFY_ATTEMPTS with exponential backoff; failed ones are kept for a retry.
  const delivery = {
    removeOnComplete: 10_000,
    removeOnFail: false,
    attempts: config.notifications.attempts,
    backoff: exponential(config.notifications.backoffMs),
  };
  return {
    // Few kept: Redis rewrites what it keeps into its append-only file again and again (CP_RULE_JOBS_KEPT).
    'rule-evaluation': {
      removeOnComplete: config.alerts.ruleJobsKept,
      removeOnFail: 10_000,
      attempts: 5,
      backoff: exponential(500),
    },
    'alert-events': { ...KEEP_FINISHED, attempts: 20, backoff: exponential(500) },
    notifications: delivery,
    'channel-deliveries': delivery,
    // Escalation steps are delayed jobs (kept in Redis, so they survive restarts); a step only reads and adds jobs, so
    // a few retries suffice.
    escalations: { ...KEEP_FINISHED, attempts: 10, backoff: exponential(500) },
    'alert-checks': { removeOnComplete: 100, removeOnFail: 1000, attempts: 3, backoff: exponential(1000) },
    'command-timeouts': { ...KEEP_FINISHED, attempts: 5, backoff: exponential(1000) },
    // Ticks come from job schedulers, which set their own options (libs/jobs scheduleFleetJob).
    'fleet-jobs': {},
  };
}

/**
 * The one way to open a BullMQ queue: the deployment's connection (single server or cluster) and
 * key prefix, and the queue's job options from queueJobDefaults, `overrides` on top.
 */
export function openQueue<T = unknown>(
  config: AppConfig,
  name: QueueName,
  overrides: DefaultJobOptions = {},
): Queue<T> {
  return new Queue<T>(name, {
    connection: bullConnection(config),
    prefix: bullPrefix(config),
    defaultJobOptions: { ...queueJobDefaults(config)[name], ...overrides },
  });
}

/**
 * A BullMQ job id for an id of ours: BullMQ job ids may not contain ':' (its key separator); event and alert ids do.
 */
export function bullJobId(id: string): string {
  return id.replaceAll(':', '|');
}
