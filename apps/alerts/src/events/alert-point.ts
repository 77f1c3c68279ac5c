import { createHash } from 'node:crypto';
import { escapeTag, formatFieldValue, quoteFieldString } from '@citypulse/storage';
import type { Alert, AlertEvent } from '@citypulse/alert-store';

/** The InfluxDB measurement holding every alert transition, queryable by time, city, device and rule. */
export const ALERT_MEASUREMENT = 'alerts';

/**
 * One alert event as a line of the `alerts` measurement. Tags: city, device_id, device_type,
 * event, rule_id, severity, site; fields: alert_id, state, actor and, when present, value, note,
 * detail. The time is the event's, to the ms, plus a sub-ms offset derived from the event id:
 * two events of one alert in the same ms stay two points, and a replayed event stays one.
 */
export function alertLine(alert: Alert, event: AlertEvent): string {
  const tags = [
    ['city', alert.city],
    ['device_id', alert.deviceId],
    ['device_type', alert.deviceType],
    ['event', event.kind],
    ['rule_id', alert.ruleId],
    ['severity', alert.severity],
    ['site', alert.site],
  ]
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}=${escapeTag(v)}`)
    .join(',');
  const fields = [
    `alert_id=${quoteFieldString(alert.id)}`,
    `state=${quoteFieldString(alert.state)}`,
    `actor=${quoteFieldString(event.actor)}`,
  ];
  const value = event.value === undefined ? undefined : formatFieldValue(event.value);
  if (value !== undefined) fields.push(`value=${value}`);
  if (event.note) fields.push(`note=${quoteFieldString(event.note)}`);
  if (event.detail) fields.push(`detail=${quoteFieldString(event.detail)}`);
  return `${ALERT_MEASUREMENT},${tags} ${fields.join(',')} ${eventTimeNs(event)}`;
}

function eventTimeNs(event: AlertEvent): string {
  const subMs = createHash('sha1').update(event.id).digest().readUInt32BE(0) % 1_000_000;
  return (BigInt(Date.parse(event.at)) * 1_000_000n + BigInt(subMs)).toString();
}
