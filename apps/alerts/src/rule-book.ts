import { resolveRules, type RuleDefinition, type RuleTarget } from '@citypulse/rules';
import { deviceTypes, type DefaultRule, type DeviceTypeDefinition } from '@citypulse/devices';

export type { RuleTarget };

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

/**
 * Which rules apply to which device. Today: the catalogue's default rules for its type
 * (issue #5 adds operator-managed rules narrowed to a city, site or device).
 */
export class RuleBook {
  private readonly byType = new Map<string, RuleDefinition[]>();

  constructor() {
    for (const type of Object.values(deviceTypes)) {
      this.byType.set(type.name, type.defaultRules.map((rule) => fromDefaultRule(type, rule)));
    }
  }

  rulesFor(target: RuleTarget): RuleDefinition[] {
    return resolveRules(this.byType.get(target.deviceType) ?? [], target);
  }
}
