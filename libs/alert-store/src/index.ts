export { AlertStore } from './alert-store.js';
export type { Alert, AlertSeverity, AlertState, RaiseAlert } from './alert.js';
