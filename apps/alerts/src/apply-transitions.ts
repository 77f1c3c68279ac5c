import type { AlertStore } from '@citypulse/alert-store';
import type { Logger, Metrics } from '@citypulse/observability';
import type { AlertTransition } from './alert-transition.js';

/** Applies decided transitions to the alert store. Every step is idempotent, so replaying an outbox is safe. */
export async function applyTransitions(alerts: AlertStore, transitions: AlertTransition[], metrics: Metrics, logger: Logger): Promise<void> {
  for (const t of transitions) {
    if (t.kind === 'raised') {
      const { created } = await alerts.raise({ ...t });
      if (created) {
        metrics.alertTransitions.inc({ kind: 'raised', severity: t.severity });
        logger.info({ alertId: t.alertId, deviceId: t.deviceId, value: t.value }, 'alert raised');
      }
    } else if (t.kind === 'updated') {
      await alerts.recordRepeat(t.alertId, { value: t.value, peak: t.peak, count: t.count });
    } else if (await alerts.resolve(t.alertId, t.atMs, t.value)) {
      metrics.alertTransitions.inc({ kind: 'resolved', severity: t.severity });
      logger.info({ alertId: t.alertId, deviceId: t.deviceId, value: t.value }, 'alert resolved');
    }
  }
}
