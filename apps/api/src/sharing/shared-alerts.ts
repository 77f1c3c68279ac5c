import type { AlertMessage, SharedSource } from '@citypulse/contracts';
import type { ShareAgreement } from '@citypulse/registry';

/*
 * Alert events through an alert share (kind `alerts`). Pure. The share gives the offering city's
 * alerts of its chosen rules, device types, fields and severities (and sites), opened within its
 * data range; the receiving city sees them read-only, marked with source city and share, without
 * what concerns only the offering city's own operators (who acknowledged, to whom it is assigned).
 */

/** The parts of an alert the stored record and a live message both carry. */
export type AlertFacts = AlertMessage['alert'];

export interface SharedAlert {
  source: SharedSource;
  alert: Pick<
    AlertFacts,
    | 'id'
    | 'ruleId'
    | 'deviceId'
    | 'deviceType'
    | 'city'
    | 'site'
    | 'field'
    | 'severity'
    | 'state'
    | 'description'
    | 'openedAt'
    | 'lastValue'
    | 'peakValue'
  >;
  /** The event that changed it (live stream only). */
  event?: { id: string; kind: string; at: string };
}

/** Whether the alert share gives this alert. */
export function sharesAlert(
  share: ShareAgreement,
  alert: Pick<AlertFacts, 'city' | 'site' | 'ruleId' | 'deviceType' | 'field' | 'severity' | 'openedAt'>,
): boolean {
  const selector = share.alerts ?? {};
  const among = (list: readonly string[] | undefined, value: string) => list === undefined || list.includes(value);
  const openedMs = Date.parse(alert.openedAt);
  return (
    share.kind === 'alerts' &&
    alert.city === share.fromCity &&
    among(share.sites, alert.site) &&
    among(selector.ruleIds, alert.ruleId) &&
    among(selector.deviceTypes, alert.deviceType) &&
    among(selector.fields, alert.field) &&
    among(selector.severities, alert.severity) &&
    openedMs >= Date.parse(share.from) &&
    openedMs < Date.parse(share.to)
  );
}

export function sharedAlertOf(
  share: ShareAgreement,
  alert: SharedAlert['alert'],
  event?: AlertMessage['event'],
): SharedAlert {
  const {
    id,
    ruleId,
    deviceId,
    deviceType,
    city,
    site,
    field,
    severity,
    state,
    description,
    openedAt,
    lastValue,
    peakValue,
  } = alert;
  return {
    source: { city: share.fromCity, share: share.id },
    alert: {
      id,
      ruleId,
      deviceId,
      deviceType,
      city,
      site,
      field,
      severity,
      state,
      description,
      openedAt,
      lastValue,
      peakValue,
    },
    ...(event && { event: { id: event.id, kind: event.kind, at: event.at } }),
  };
}
