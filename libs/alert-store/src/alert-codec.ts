import type { Alert, AlertEvent, RaiseAlert } from './alert.js';

/** A new alert's hash fields (Redis hashes hold strings; `fromHash` turns them back). */
export function newAlertFields(id: string, input: RaiseAlert, nowIso: string): Record<string, string> {
  const fields: Record<string, string> = {
    id,
    ruleId: input.ruleId,
    ruleKind: input.ruleKind,
    deviceId: input.deviceId,
    deviceType: input.deviceType,
    city: input.city,
    site: input.site,
    field: input.field,
    severity: input.severity,
    state: 'open',
    description: input.description,
    openedAt: new Date(input.atMs).toISOString(),
    lastValue: String(input.value),
    peakValue: String(input.value),
    count: '1',
    updatedAt: nowIso,
    renotifySeconds: String(input.renotifySeconds ?? 0),
  };
  if (input.cause) fields.cause = input.cause;
  if (input.suppressedBy) fields.suppressedBy = input.suppressedBy;
  return fields;
}

const OPTIONAL = [
  'cause',
  'acknowledgedAt',
  'acknowledgedBy',
  'assignee',
  'snoozedUntil',
  'escalatedTo',
  'resolvedAt',
  'resolvedBy',
  'lastNotifiedAt',
  'suppressedBy',
  'lastNote',
  'lastNoteBy',
  'lastNoteAt',
] as const;

/** Set by `AlertStore.recordDelivery` when a notification failed for good. */
const DELIVERY_FAILURE = ['deliveryFailedAt', 'deliveryFailure'] as const;

export function fromHash(h: Record<string, string>): Alert | null {
  if (!h.id) return null;
  const alert: Alert = {
    id: h.id,
    ruleId: h.ruleId,
    ruleKind: h.ruleKind ?? 'above',
    deviceId: h.deviceId,
    deviceType: h.deviceType,
    city: h.city,
    site: h.site,
    field: h.field,
    severity: h.severity as Alert['severity'],
    state: h.state as Alert['state'],
    description: h.description,
    openedAt: h.openedAt,
    lastValue: Number(h.lastValue),
    peakValue: Number(h.peakValue),
    count: Number(h.count),
    updatedAt: h.updatedAt,
    renotifySeconds: Number(h.renotifySeconds ?? 0),
  };
  for (const key of OPTIONAL) if (h[key]) alert[key] = h[key];
  for (const key of DELIVERY_FAILURE) if (h[key]) alert[key] = h[key];
  if (h.escalatedFrom) alert.escalatedFrom = h.escalatedFrom.split(',');
  return alert;
}

/** Alternating field, value: the argument form HSET takes and the Lua scripts pass through. */
export function flatten(fields: Record<string, string>): string[] {
  return Object.entries(fields).flat();
}

export function encodeEvent(event: AlertEvent): string {
  return JSON.stringify(event);
}
