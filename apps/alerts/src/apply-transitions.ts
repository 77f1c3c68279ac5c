import type { AlertEvent, AlertStore } from '@citypulse/alert-store';
import type { Logger, Metrics } from '@citypulse/observability';
import type { AlertTransition } from '@citypulse/rules';
import { bullJobId } from '@citypulse/redis';
import type { AlertQueues } from './alert-queues.js';

/**
 * Applies decided transitions to the alert store, then hands the resulting events to the
 * alert-events queue (history, live stream, notifications). Every step is idempotent — the store
 * by deterministic alert ids, the queue by deterministic job ids — so replaying an outbox is safe.
 */
export async function applyTransitions(
  alerts: AlertStore,
  queues: AlertQueues,
  transitions: AlertTransition[],
  metrics: Metrics,
  logger: Logger,
): Promise<void> {
  const events: AlertEvent[] = [];
  for (const t of transitions) {
    if (t.kind === 'raised') {
      const raised = await alerts.raise({ ...t });
      events.push(...raised.events);
      if (raised.created) {
        // Raised under a maintenance window: counted apart, so the raised count stays what was notified.
        metrics.alertTransitions.inc({ kind: t.suppressedBy ? 'suppressed' : 'raised', severity: t.severity });
        logger.info(
          {
            alertId: t.alertId,
            deviceId: t.deviceId,
            value: t.value,
            ...(t.suppressedBy && { suppressedBy: t.suppressedBy }),
          },
          t.suppressedBy ? 'alert raised under maintenance (suppressed)' : 'alert raised',
        );
      }
    } else if (t.kind === 'updated') {
      await alerts.recordRepeat(t.alertId, { value: t.value, peak: t.peak, count: t.count, cause: t.cause });
    } else {
      const resolved = await alerts.resolve(t.alertId, t.atMs, t.value);
      if (resolved) {
        events.push(resolved.event);
        metrics.alertTransitions.inc({ kind: 'resolved', severity: t.severity });
        logger.info({ alertId: t.alertId, deviceId: t.deviceId, value: t.value }, 'alert resolved');
      } else if ((await alerts.get(t.alertId))?.resolvedBy === 'rule') {
        // A replay after a crash between resolving and announcing: announce again (the queue drops a duplicate).
        events.push({
          id: `${t.alertId}:resolved`,
          alertId: t.alertId,
          kind: 'resolved',
          at: new Date(t.atMs).toISOString(),
          actor: 'rule',
        });
      }
    }
  }
  await announce(queues, events);
}

/** Queues events for recording and announcing; the job id is the event id, so a replayed event is not queued twice. */
export async function announce(queues: AlertQueues, events: AlertEvent[]): Promise<void> {
  if (events.length === 0) return;
  await queues.events.addBulk(
    events.map((e) => ({
      name: e.kind,
      data: { eventId: e.id, alertId: e.alertId },
      opts: { jobId: bullJobId(e.id) },
    })),
  );
}
