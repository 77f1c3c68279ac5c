// @citypulse/alert-config — what operators configure about alerting: rules (over the catalogue defaults), webhooks and
// maintenance windows.
export {
  catalogueRules,
  defaultDeadmanRule,
  effectiveRules,
  fromDefaultRule,
  ruleCatalogue,
  DEFAULT_DEADMAN_INTERVALS,
} from './catalogue-rules.js';
export { RuleRepository } from './rule-repository.js';
export { WebhookRepository } from './webhook-repository.js';
export { webhookMatches, publicWebhook, DEFAULT_WEBHOOK_EVENTS, type Webhook } from './webhook.js';
export { nonPublicAddress } from './private-address.js';
export {
  webhookTargetProblem,
  literalTargetProblem,
  publicOnlyLookup,
  hostOf,
  NonPublicAddressError,
  type ResolveAll,
} from './webhook-target.js';
export {
  MaintenanceCalendar,
  MaintenanceRepository,
  WindowSchedule,
  cronProblem,
  inScope,
  isKnownTimeZone,
  type MaintenanceWindow,
  type OpenWindow,
  type Opening,
  type Recurrence,
} from './maintenance/index.js';
export * from './channels/index.js';
