import type { Queue } from 'bullmq';
import type { FleetJobTick } from '@citypulse/contracts';

const SCHEDULER_PREFIX = 'fleet-job:';

/** The BullMQ job scheduler of one fleet job. */
export function fleetJobSchedulerId(jobId: string): string {
  return `${SCHEDULER_PREFIX}${jobId}`;
}

/**
 * Upserts every fleet job's scheduler that still exists (the jobs still ticking), returning how many.
 * BullMQ adds a scheduler's next iteration in a second call after taking the current one, so a
 * worker killed between the two leaves the scheduler without a next tick until its stalled
 * iteration is recovered (two stalled checks, up to a minute); upserting recreates the next one.
 */
export async function rearmFleetJobs(queue: Queue<FleetJobTick>, everyMs: number): Promise<number> {
  const schedulers = await queue.getJobSchedulers(0, -1);
  const jobIds = schedulers
    .map((s) => s.key)
    .filter((key) => key.startsWith(SCHEDULER_PREFIX))
    .map((key) => key.slice(SCHEDULER_PREFIX.length));
  await Promise.all(jobIds.map((jobId) => scheduleFleetJob(queue, jobId, everyMs)));
  return jobIds.length;
}

/** Starts ticking a fleet job every `everyMs` (idempotent: upserts the job's scheduler). */
export async function scheduleFleetJob(queue: Queue<FleetJobTick>, jobId: string, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    fleetJobSchedulerId(jobId),
    { every: everyMs },
    { name: 'tick', data: { jobId }, opts: { removeOnComplete: 100, removeOnFail: 1000 } },
  );
}
