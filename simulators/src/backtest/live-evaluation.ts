/**
 * The alerts worker's own decision code, imported rather than re-implemented, so a backtest
 * agrees with live alerts by construction: `decideDevice` folds a device's readings through its
 * rules exactly as the worker does per job, and `recordTransition` names alerts the same way.
 * (The only place the simulators reach into apps/alerts.)
 */
export { decideDevice } from '../../../apps/alerts/src/decide-device.js';
export { recordTransition } from '../../../apps/alerts/src/outbox.js';
export type { AlertTransition } from '../../../apps/alerts/src/alert-transition.js';
export type { DeviceRuleStates, StoredRuleState } from '../../../apps/alerts/src/rule-state-repository.js';
