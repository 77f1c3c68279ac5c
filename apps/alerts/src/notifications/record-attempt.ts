import type { AlertStore } from '@citypulse/alert-store';
import type { Metrics } from '@citypulse/observability';
import type { DeliveryDecision } from './delivery-decision.js';

export interface DeliveryAttempt {
  alertId: string;
  /** Channel kind, the metric's label: webhook, email, slack, teams, mattermost, mqtt. */
  channel: string;
  /** What was notified, as people read it: `slack ops-chat (level 2)`. */
  target: string;
  jobId: string;
  /** 1-based, and how many BullMQ makes in all. */
  attempt: number;
  attempts: number;
  decision: DeliveryDecision;
}

/**
 * Records one delivery attempt on the alert's history, and whether it failed for good: refused,
 * or the last attempt failed. A final failure is also marked on the alert (deliveryFailedAt,
 * deliveryFailure: what API and console show) and counted in
 * citypulse_notification_failures_total{channel}. Returns whether the failure is final.
 */
export async function recordAttempt(alerts: AlertStore, metrics: Metrics, a: DeliveryAttempt): Promise<boolean> {
  const { decision } = a;
  metrics.notifications.inc({ outcome: decision.action });
  const final = decision.action === 'give_up' || (decision.action === 'retry' && a.attempt >= a.attempts);
  const reason = decision.action === 'delivered' ? '' : decision.reason;
  const outcome =
    decision.action === 'delivered' ? 'delivered' : `${final ? 'failed for good' : 'failed, will retry'}: ${reason}`;
  const at = new Date().toISOString();
  const entry = {
    id: `${a.alertId}:delivery:${a.jobId}:${a.attempt}`,
    kind: 'delivery' as const,
    at,
    actor: 'notifications',
    detail: `${a.target}, attempt ${a.attempt} of ${a.attempts}: ${outcome}`,
  };
  await alerts.recordNotification(a.alertId, entry, final ? `${a.target}: ${reason}` : undefined);
  if (final) metrics.notificationFailures.inc({ channel: a.channel });
  return final;
}
