import type { Queue } from 'bullmq';

const UNFINISHED = new Set(['waiting', 'wait', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Waits until every job in `ids` has finished (completed, failed for good, or removed), polling
 * its state; gives up after `maxWaitMs`. True when all finished. Used to keep rule-evaluation
 * jobs in the order ingest added them: a job is evaluated after its predecessors, and an ingest
 * process hands a partition over after the jobs it fed from it were evaluated.
 */
export async function waitForJobs(
  queue: Queue,
  ids: readonly string[],
  { maxWaitMs = 5000, pollMs = 10 } = {},
): Promise<boolean> {
  const deadline = Date.now() + maxWaitMs;
  let pending = [...ids];
  for (let wait = 1; ; wait = Math.min(wait * 2, pollMs)) {
    const states = await Promise.all(pending.map((id) => queue.getJobState(id)));
    pending = pending.filter((_, i) => UNFINISHED.has(states[i]));
    if (pending.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, wait));
  }
}
