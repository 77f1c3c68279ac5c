import { deviceTypes, getDeviceType, type DefaultRule, type DeviceTypeDefinition } from '@citypulse/devices';
import type { RuleCatalogue, RuleDefinition } from '@citypulse/rules';

/**
 * Every catalogue type is watched for silence by default: no reading for this many reporting
 * intervals raises a deadman alert (five minutes for a type that reports every minute).
 */
export const DEFAULT_DEADMAN_INTERVALS = 5;

/** A catalogue default rule in the rules library's terms: type-wide, enabled. */
export function fromDefaultRule(type: DeviceTypeDefinition, rule: DefaultRule): RuleDefinition {
  return {
    id: `${type.name}.${rule.id}`,
    key: `${type.name}.${rule.id}`,
    deviceType: type.name,
    field: rule.field,
    condition:
      rule.condition === 'above'
        ? { kind: 'above', threshold: rule.threshold, clearBelow: rule.clearThreshold }
        : { kind: 'below', threshold: rule.threshold, clearAbove: rule.clearThreshold },
    forSeconds: rule.forSeconds,
    severity: rule.severity,
    enabled: true,
    description: rule.description,
  };
}

/** The type's default deadman rule, derived from its reporting interval. */
export function defaultDeadmanRule(type: DeviceTypeDefinition): RuleDefinition {
  const afterSeconds = type.reportingIntervalS * DEFAULT_DEADMAN_INTERVALS;
  return {
    id: `${type.name}.no-data`,
    key: `${type.name}.no-data`,
    deviceType: type.name,
    field: '',
    condition: { kind: 'deadman', afterSeconds, when: 'no-data' },
    forSeconds: 0,
    severity: 'warning',
    enabled: true,
    description: `No reading for ${afterSeconds} s (${DEFAULT_DEADMAN_INTERVALS} reporting intervals)`,
  };
}

/** Every default rule of the catalogue, by id. */
export function catalogueRules(): Map<string, RuleDefinition> {
  const rules = new Map<string, RuleDefinition>();
  for (const type of Object.values(deviceTypes)) {
    for (const rule of [...type.defaultRules.map((r) => fromDefaultRule(type, r)), defaultDeadmanRule(type)])
      rules.set(rule.id, rule);
  }
  return rules;
}

/** The catalogue as rule validation sees it: which numeric fields each type has. */
export const ruleCatalogue: RuleCatalogue = {
  numericFields(deviceType) {
    const type = getDeviceType(deviceType);
    if (!type) return undefined;
    return Object.entries(type.fields)
      .filter(([, spec]) => spec.kind === 'number' || spec.kind === 'integer')
      .map(([name]) => name);
  },
};

/**
 * The rules in force: catalogue defaults, each replaced by an operator's rule of the same id, plus the operators' own.
 */
export function effectiveRules(
  stored: readonly RuleDefinition[],
): Array<RuleDefinition & { source: 'catalogue' | 'operator' }> {
  const merged = new Map<string, RuleDefinition & { source: 'catalogue' | 'operator' }>();
  for (const [id, rule] of catalogueRules()) merged.set(id, { ...rule, source: 'catalogue' });
  for (const rule of stored) merged.set(rule.id, { ...rule, source: 'operator' });
  return [...merged.values()];
}
