/** The alerts app's shared RuleBook: one per process, so every worker sees the same rules. */
export const RULE_BOOK = Symbol('RULE_BOOK');
