import type { RuleDefinition } from './types.js';

export interface RuleTarget {
  deviceId: string;
  deviceType: string;
  city: string;
  site: string;
}

/** How specific a matching rule is: device > site > city > whole type. -1 when it does not match. */
export function specificity(rule: RuleDefinition, target: RuleTarget): number {
  if (!rule.enabled || rule.deviceType !== target.deviceType) return -1;
  const scope = rule.scope ?? {};
  if (scope.deviceId !== undefined && scope.deviceId !== target.deviceId) return -1;
  if (scope.site !== undefined && scope.site !== target.site) return -1;
  if (scope.city !== undefined && scope.city !== target.city) return -1;
  if (scope.deviceId !== undefined) return 3;
  if (scope.site !== undefined) return 2;
  if (scope.city !== undefined) return 1;
  return 0;
}

/** The rules that apply to a device: for each rule key, the most specific enabled rule that matches. */
export function resolveRules(rules: readonly RuleDefinition[], target: RuleTarget): RuleDefinition[] {
  const best = new Map<string, { rule: RuleDefinition; rank: number }>();
  for (const rule of rules) {
    const rank = specificity(rule, target);
    if (rank < 0) continue;
    const key = rule.key ?? rule.id;
    const current = best.get(key);
    if (!current || rank > current.rank) best.set(key, { rule, rank });
  }
  return [...best.values()].map((b) => b.rule);
}
