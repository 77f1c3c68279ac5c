import { resolveRules, type RuleDefinition, type RuleTarget } from '@citypulse/rules';
import { effectiveRules, type RuleRepository } from '@citypulse/alert-config';

export type { RuleTarget };

/**
 * Which rules apply to which device: the catalogue defaults and the operators' rules, the most
 * specific scope winning per rule key. `refresh` costs one GET of the rules' version and reloads
 * only when it changed; workers call it once per job, so a rule saved through the API applies to
 * every job that starts after the save.
 */
export class RuleBook {
  private byType = new Map<string, RuleDefinition[]>();
  private loadedVersion?: string;

  constructor(private readonly repository?: RuleRepository) {
    this.index([]);
  }

  async refresh(): Promise<void> {
    if (!this.repository) return;
    const version = await this.repository.version();
    if (version === this.loadedVersion) return;
    const stored = await this.repository.list();
    this.index(stored);
    this.loadedVersion = version;
  }

  private index(stored: RuleDefinition[]): void {
    const byType = new Map<string, RuleDefinition[]>();
    for (const { source: _source, ...rule } of effectiveRules(stored)) {
      const list = byType.get(rule.deviceType) ?? [];
      list.push(rule);
      byType.set(rule.deviceType, list);
    }
    this.byType = byType;
  }

  rulesFor(target: RuleTarget): RuleDefinition[] {
    return resolveRules(this.byType.get(target.deviceType) ?? [], target);
  }

  /** Every enabled deadman window in force, in seconds: the deadman check looks no further back than the shortest. */
  deadmanWindowsS(): number[] {
    const windows: number[] = [];
    for (const rules of this.byType.values()) {
      for (const rule of rules)
        if (rule.enabled && rule.condition.kind === 'deadman') windows.push(rule.condition.afterSeconds);
    }
    return windows;
  }
}
