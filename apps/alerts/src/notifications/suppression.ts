import type { Alert } from '@citypulse/alert-store';

/**
 * An alert raised under a maintenance window notifies no one — no webhook, no live message (the
 * API's event stream, MQTT `alerts/…`) — for any of its events; it is still recorded (alert store,
 * history, the `alerts` measurement) and listed by `GET /alerts?suppressed=true`.
 */
export function isSuppressed(alert: Alert): boolean {
  return alert.suppressedBy !== undefined;
}
