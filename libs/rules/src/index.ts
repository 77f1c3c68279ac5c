export type { Condition, EvaluateOptions, Evaluation, RuleDefinition, RuleScope, RuleState, Severity, Transition } from './types.js';
export { breaches, clears, worse } from './condition.js';
export { evaluate, evaluateBatch, INITIAL_STATE } from './evaluate.js';
export { resolveRules, specificity, type RuleTarget } from './resolve.js';
