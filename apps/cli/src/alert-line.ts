/** What the live alert stream sends (GET /alerts/stream), as far as the terminal view shows it. */
export interface AlertStreamMessage {
  event: { kind: string; at: string; actor?: string; note?: string };
  alert: {
    id: string;
    ruleId: string;
    ruleKind?: string;
    description?: string;
    severity: string;
    state: string;
    deviceId: string;
    city: string;
    site: string;
    field?: string;
    lastValue?: number;
  };
}

const COLOURS: Record<string, string> = { critical: '\x1b[1;31m', warning: '\x1b[33m', info: '\x1b[36m' };
const RESET = '\x1b[0m';

/**
 * One line per alert event: time, severity (coloured when `colour`), what happened, the alert's
 * title (the rule id when the rule has no description), device, place, value, who and the note,
 * and the alert id to acknowledge it by.
 */
export function alertLine(message: AlertStreamMessage, colour: boolean): string {
  const { event, alert } = message;
  const time = new Date(event.at);
  const clock = Number.isNaN(time.getTime()) ? event.at : time.toISOString().slice(11, 19);
  const severity = alert.severity.toUpperCase().padEnd(8);
  const title = alert.description?.trim() || alert.ruleId;
  const value =
    alert.lastValue === undefined || alert.lastValue === null
      ? ''
      : alert.ruleKind === 'deadman'
        ? ` silent ${alert.lastValue} s`
        : ` ${alert.field}=${alert.lastValue}`;
  const who = event.actor && event.actor !== 'rule' ? ` by ${event.actor}` : '';
  const note = event.note ? ` “${event.note}”` : '';
  const label = colour ? `${COLOURS[alert.severity] ?? ''}${severity}${RESET}` : severity;
  const text =
    `${clock} ${label} ${event.kind.padEnd(12)} ${title} ` +
    `— ${alert.deviceId} ${alert.city}/${alert.site}${value}${who}${note}  [${alert.id}]`;
  return text;
}
