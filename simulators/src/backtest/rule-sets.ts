import { readFile } from 'node:fs/promises';
import { effectiveRules, ruleCatalogue } from '@citypulse/alert-config';
import { validateRule, type RuleDefinition } from '@citypulse/rules';

/** The rules in force with no operator changes: the catalogue's defaults (thresholds and deadman). */
export function catalogueRuleSet(): RuleDefinition[] {
  return effectiveRules([]).map(withoutSource);
}

/** The rules in force given operators' stored rules, merged the way the alerts worker merges them. */
export function effectiveRuleSet(operatorRules: readonly RuleDefinition[]): RuleDefinition[] {
  return effectiveRules(operatorRules).map(withoutSource);
}

function withoutSource<T extends { source?: unknown }>(rule: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = rule;
  return rest;
}

/**
 * Rules from JSON: an array of RuleDefinitions, or `{items: [...]}` as `GET /rules` answers (its
 * `source` field is ignored). Every rule is checked by the same `validateRule` as `PUT /rules`;
 * problems are listed together, each naming the rule and field.
 */
export function parseRuleSet(json: string, origin = 'rules'): RuleDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`${origin}: not JSON (${(err as Error).message})`, { cause: err });
  }
  const items = Array.isArray(parsed)
    ? parsed
    : isObject(parsed) && Array.isArray(parsed.items)
      ? parsed.items
      : undefined;
  if (!items) throw new Error(`${origin}: expected an array of rules or {"items": [...]}`);
  const rules: RuleDefinition[] = [];
  const problems: string[] = [];
  items.forEach((item: unknown, i: number) => {
    const input = isObject(item) ? withoutSource(item) : item;
    const result = validateRule(input, ruleCatalogue);
    if (result.ok) rules.push(result.rule);
    else {
      const which = `rule ${i}${isObject(item) && typeof item.id === 'string' ? ` (${item.id})` : ''}`;
      problems.push(...result.errors.map((e) => `${which}: ${e.field || 'rule'} ${e.message}`));
    }
  });
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) problems.push(`rule ${rule.id}: id used twice`);
    ids.add(rule.id);
  }
  if (problems.length > 0) throw new Error(`${origin}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  return rules;
}

export async function readRuleFile(path: string): Promise<RuleDefinition[]> {
  return parseRuleSet(await readFile(path, 'utf8'), path);
}

/**
 * A candidate rule set as operators would apply it: the file's rules replace the rules of the
 * same id in `base` (a catalogue rule with a new threshold) and add the rest. With `only`, the
 * file's rules are the whole set.
 */
export function candidateRuleSet(
  fileRules: readonly RuleDefinition[],
  base: readonly RuleDefinition[],
  only = false,
): RuleDefinition[] {
  if (only) return [...fileRules];
  const merged = new Map(base.map((r) => [r.id, r]));
  for (const rule of fileRules) merged.set(rule.id, rule);
  return [...merged.values()];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
