/**
 * The alert queue's pure logic: which alerts a filter shows, how a live message updates the list,
 * and the order. No DOM, no fetch.
 */

/** 'active' is the default queue: everything not yet resolved. */
export const STATE_CHOICES = ['active', 'open', 'acknowledged', 'resolved', 'any'];
export const SEVERITIES = ['critical', 'warning', 'info'];

export function matchesFilters(alert, filters) {
  if (filters.city && alert.city !== filters.city) return false;
  // Exact, as GET /alerts and /alerts/counts filter it: the counts shown are of the same alerts.
  if (filters.site && alert.site !== filters.site) return false;
  if (filters.severity && alert.severity !== filters.severity) return false;
  if (filters.state === 'active') return alert.state !== 'resolved';
  if (filters.state && filters.state !== 'any') return alert.state === filters.state;
  return true;
}

/** The GET /alerts `state` for a filter state ('any' is no filter; 'active' the API takes as is). */
export function stateToQuery(state) {
  return !state || state === 'any' ? undefined : state;
}

/** States a filter state covers. */
export function statesOf(state) {
  if (state === 'active') return ['open', 'acknowledged'];
  if (!state || state === 'any') return ['open', 'acknowledged', 'resolved'];
  return [state];
}

/**
 * From GET /alerts/counts (`{severity: {state: n}}`): alerts per severity within the state
 * filter, per state within the severity filter, and the total the filters match.
 */
export function countsFor(counts, filters) {
  const states = statesOf(filters.state);
  const severities = filters.severity ? [filters.severity] : SEVERITIES;
  const bySeverity = Object.fromEntries(
    SEVERITIES.map((s) => [s, states.reduce((n, state) => n + (counts?.[s]?.[state] ?? 0), 0)]),
  );
  const byState = Object.fromEntries(
    ['open', 'acknowledged', 'resolved'].map((state) => [
      state,
      severities.reduce((n, s) => n + (counts?.[s]?.[state] ?? 0), 0),
    ]),
  );
  const total = severities.reduce((n, s) => n + bySeverity[s], 0);
  return { bySeverity, byState, total };
}

/** An alert's title: its rule's description, else the rule id (a rule need not have a description). */
export function alertTitle(alert) {
  return alert.description?.trim() || alert.ruleId || alert.id;
}

/**
 * The unit of an alert's values: a deadman alert counts seconds of silence; a field alert has
 * its field's unit from the device type catalogue (`types`: GET /device-types items by name).
 */
export function valueUnit(alert, types) {
  if (alert.ruleKind === 'deadman' || !alert.field) return 's';
  return types?.[alert.deviceType]?.fields?.[alert.field]?.unit ?? '';
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
