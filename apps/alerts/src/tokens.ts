/** The alerts app's shared RuleBook: one per process, so every worker sees the same rules. */
export const RULE_BOOK = Symbol('RULE_BOOK');
/** The alerts app's maintenance windows, cached once per process and refreshed per job. */
export const MAINTENANCE_CALENDAR = Symbol('MAINTENANCE_CALENDAR');
