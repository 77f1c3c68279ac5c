import type { AlertMessage } from '@citypulse/contracts';

/**
 * What people are told about an alert, in every channel's format: a headline, facts and the link to it in the console.
 */
export interface AlertSummary {
  headline: string;
  facts: Array<{ title: string; value: string }>;
  link: string;
  severity: string;
  /** Escalation level (1-based) the message belongs to, when it comes from an escalation policy. */
  level?: number;
}

/** The console page of an alert: `${consoleUrl}/#/alert/<id>`. */
export function alertLink(consoleUrl: string, alertId: string): string {
  return `${consoleUrl}/#/alert/${encodeURIComponent(alertId)}`;
}

export function summarise(message: AlertMessage, consoleUrl: string, level?: number): AlertSummary {
  const { alert } = message;
  const where = alert.field
    ? `${alert.field} = ${alert.lastValue} (peak ${alert.peakValue})`
    : (alert.cause ?? 'no data');
  return {
    headline:
      `[${alert.severity.toUpperCase()}] ${alert.description || alert.ruleId} - ${alert.deviceId} ` +
      `in ${alert.city}/${alert.site}: ${where}`,
    facts: [
      { title: 'State', value: alert.state },
      { title: 'Device', value: `${alert.deviceId} (${alert.deviceType})` },
      { title: 'Where', value: `${alert.city} / ${alert.site}` },
      { title: 'Opened', value: alert.openedAt },
      { title: 'Rule', value: alert.ruleId },
      ...(level !== undefined ? [{ title: 'Escalation level', value: String(level) }] : []),
    ],
    link: alertLink(consoleUrl, alert.id),
    severity: alert.severity,
    ...(level !== undefined && { level }),
  };
}
