import type { AlertMessage } from '@citypulse/contracts';
import type { Alert, AlertEvent } from '@citypulse/alert-store';

/** The alert and what just happened to it, as operators' tools receive it. */
export function toAlertMessage(alert: Alert, event: AlertEvent): AlertMessage {
  return {
    event: {
      id: event.id,
      kind: event.kind,
      at: event.at,
      actor: event.actor,
      ...(event.note !== undefined && { note: event.note }),
      ...(event.value !== undefined && { value: event.value }),
      ...(event.detail !== undefined && { detail: event.detail }),
    },
    alert: {
      id: alert.id,
      ruleId: alert.ruleId,
      deviceId: alert.deviceId,
      deviceType: alert.deviceType,
      city: alert.city,
      site: alert.site,
      field: alert.field,
      severity: alert.severity,
      state: alert.state,
      description: alert.description,
      openedAt: alert.openedAt,
      lastValue: alert.lastValue,
      peakValue: alert.peakValue,
      count: alert.count,
      ...(alert.cause && { cause: alert.cause }),
      ...(alert.acknowledgedBy && { acknowledgedBy: alert.acknowledgedBy }),
      ...(alert.assignee && { assignee: alert.assignee }),
      ...(alert.escalatedFrom && { escalatedFrom: alert.escalatedFrom }),
      ...(alert.escalatedTo && { escalatedTo: alert.escalatedTo }),
    },
  };
}
