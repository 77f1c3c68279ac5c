/**
 * The alert queue's pure logic: which alerts a filter shows, how a live message updates the list,
 * and the order. No DOM, no fetch.
 */

/** 'active' is the default queue: everything not yet resolved. */
export const STATE_CHOICES = ['active', 'open', 'acknowledged', 'resolved', 'any'];
export const SEVERITIES = ['critical', 'warning', 'info'];

export function matchesFilters(alert, filters) {
  if (filters.city && alert.city !== filters.city) return false;
  if (filters.site && !alert.site.toLowerCase().includes(filters.site.toLowerCase())) return false;
  if (filters.severity && alert.severity !== filters.severity) return false;
  if (filters.state === 'active') return alert.state !== 'resolved';
  if (filters.state && filters.state !== 'any') return alert.state === filters.state;
  return true;
}

/** The GET /alerts state values to ask for a filter state (the API takes one state at a time). */
export function statesToQuery(state) {
  if (state === 'active') return ['open', 'acknowledged'];
  if (!state || state === 'any') return [undefined];
  return [state];
}

/**
 * The alert as known after a live message (`{event, alert}` from GET /alerts/stream): the message
 * carries the alert's current state but not every field, so what it lacks is kept from before.
 */
export function applyMessage(known, message) {
  const { event, alert } = message;
  const next = { ...known, ...alert, updatedAt: event.at };
  if (event.kind === 'acknowledged') next.acknowledgedAt = event.at;
  if (event.kind === 'resolved') Object.assign(next, { resolvedAt: event.at, resolvedBy: event.actor });
  return next;
}

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2 };

/** Unresolved first, then by severity, then newest first. */
export function queueOrder(a, b) {
  const resolved = Number(a.state === 'resolved') - Number(b.state === 'resolved');
  if (resolved) return resolved;
  const severity = (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3);
  if (severity) return severity;
  return String(b.openedAt).localeCompare(String(a.openedAt));
}
