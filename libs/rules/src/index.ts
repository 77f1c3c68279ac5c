export type {
  Condition,
  EvaluateOptions,
  Evaluation,
  RuleDefinition,
  RuleScope,
  RuleState,
  Severity,
  SilenceCause,
  SilenceStatus,
  Transition,
  ValueCondition,
} from './types.js';
export { breaches, clears, worse } from './condition.js';
export { evaluate, evaluateBatch, isValueRule, INITIAL_STATE, type ValueRule } from './evaluate.js';
export {
  evaluateDeadman,
  deadmanReadings,
  deadmanSilenceUntil,
  silenceStatus,
  isDeadmanRule,
  LATE_FACTOR,
  type DeadmanObservation,
  type DeadmanRule,
} from './deadman.js';
export { resolveRules, specificity, type RuleTarget } from './resolve.js';
export {
  validateRule,
  SCOPE_PATTERNS,
  type RuleCatalogue,
  type RuleFieldError,
  type RuleValidation,
} from './validate-rule.js';
export {
  alertId,
  type AlertTransition,
  type DeviceRuleStates,
  type RaiseAlert,
  type StoredRuleState,
} from './alert-transition.js';
export { recordTransition } from './outbox.js';
export { decideDevice, readingsOutOfOrder, type DecideOptions } from './decide-device.js';
