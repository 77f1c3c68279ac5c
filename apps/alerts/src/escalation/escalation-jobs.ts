import type { Queue } from 'bullmq';
import type { EscalationJob } from '@citypulse/contracts';
import type { ChannelRepository } from '@citypulse/alert-config';
import type { Alert } from '@citypulse/alert-store';
import { bullJobId } from '@citypulse/redis';

/**
 * The id of an alert's escalation step: deterministic, so a redelivered event or step adds no
 * second job (BullMQ ignores an add with the id of a job it still holds).
 */
export function escalationJobId(alertId: string, step: number): string {
  return `${bullJobId(alertId)}|esc|${step}`;
}

/** Starts escalating a newly raised alert when its city has a policy for its severity: step 0 now. */
export async function startEscalation(
  queue: Queue<EscalationJob>,
  channels: ChannelRepository,
  alert: Pick<Alert, 'id' | 'city' | 'severity'>,
): Promise<boolean> {
  const policy = await channels.policy(alert.city, alert.severity);
  if (!policy || policy.levels.length === 0) return false;
  const firstDelayMs = Math.round(policy.levels[0].afterSeconds * 1000);
  await queue.add('step', { alertId: alert.id, step: 0 }, { jobId: escalationJobId(alert.id, 0), delay: firstDelayMs });
  return true;
}
