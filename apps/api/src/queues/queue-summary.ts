import type { Queue } from 'bullmq';

/** The job states a queue's depth is reported in (GET /queues and /metrics). */
export const JOB_COUNT_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;

/**
 * Depth per state and throughput of one queue. Rates come from BullMQ's per-minute metrics, which
 * the workers record (`metrics` option): the last minute and the mean over the last 15 minutes.
 */
export async function queueSummary(queue: Queue) {
  const [counts, completed, failed, paused] = await Promise.all([
    queue.getJobCounts(...JOB_COUNT_STATES),
    queue.getMetrics('completed', 0, 14),
    queue.getMetrics('failed', 0, 14),
    queue.isPaused(),
  ]);
  return {
    name: queue.name,
    paused,
    counts,
    /** Jobs waiting to run: waiting + prioritized + delayed. */
    depth: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
    ratesPerMinute: {
      completedLastMinute: completed.data[0] ?? 0,
      completed15mMean: mean(completed.data),
      failedLastMinute: failed.data[0] ?? 0,
      failed15mMean: mean(failed.data),
    },
    totals: { completed: Number(completed.meta.count), failed: Number(failed.meta.count) },
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 10) / 10;
}
