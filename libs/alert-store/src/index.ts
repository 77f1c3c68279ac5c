export { AlertStore, type ActionRefusal, type ActionResult } from './alert-store.js';
export { AlertKeys } from './alert-keys.js';
export { countAlerts, queryAlerts, type AlertCounts, type AlertPage } from './alert-query.js';
export { claimDueReminders } from './renotify.js';
export { AuditLog, actorMatcher, normaliseTarget, type AuditEntry, type AuditQuery } from './audit-log.js';
export { ALERT_STATES, SEVERITY_RANK } from './alert.js';
export type { Alert, AlertEvent, AlertEventKind, AlertQuery, AlertSeverity, AlertState, RaiseAlert } from './alert.js';
export { LastSeenIndex } from './last-seen-index.js';
