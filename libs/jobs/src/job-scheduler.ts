import type { Queue } from 'bullmq';
import type { FleetJobTick } from '@citypulse/contracts';

/** The BullMQ job scheduler of one fleet job. */
export function fleetJobSchedulerId(jobId: string): string {
  return `fleet-job:${jobId}`;
}

/** Starts ticking a fleet job every `everyMs` (idempotent: upserts the job's scheduler). */
export async function scheduleFleetJob(queue: Queue<FleetJobTick>, jobId: string, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(fleetJobSchedulerId(jobId), { every: everyMs }, { name: 'tick', data: { jobId }, opts: { removeOnComplete: 100, removeOnFail: 1000 } });
}
