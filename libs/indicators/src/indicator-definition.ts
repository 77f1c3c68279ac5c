import { readFileSync } from 'node:fs';
import { validateRule, type RuleDefinition, type ValueCondition } from '@citypulse/rules';

/** How the devices' values combine into the indicator: a regional total, or a regional mean / extreme. */
export const AGGREGATES = ['sum', 'mean', 'min', 'max'] as const;
export type IndicatorAggregate = (typeof AGGREGATES)[number];

/** An alert rule over an indicator: the indicator's value is the reading of a virtual device. */
export type IndicatorRule = Omit<RuleDefinition, 'deviceType' | 'field' | 'scope' | 'key'> & {
  condition: ValueCondition;
};

/**
 * A cluster indicator: one numeric field of one device type, over what the cities share with the
 * whole cluster. Each device's mean over the last `windowSeconds` is one value; the devices'
 * values combine by `aggregate`. `sites` narrows it to those sites (e.g. border crossings).
 */
export interface IndicatorDefinition {
  id: string;
  title: string;
  description?: string;
  unit?: string;
  deviceType: string;
  field: string;
  aggregate: IndicatorAggregate;
  windowSeconds: number;
  sites?: string[];
  rules: IndicatorRule[];
}

/** What validation asks of the device catalogue (a port: the api and alerts apps pass libs/devices). */
export interface IndicatorCatalogue {
  numericFields(deviceType: string): readonly string[] | undefined;
}

export class IndicatorDefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly problems: Array<{ field: string; message: string }>,
  ) {
    super(`${source}: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
  }
}

const ID = /^[a-z][a-z0-9-]{0,62}$/;
const SITE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_WINDOW_S = 24 * 3600;
const KEYS = new Set([
  'id',
  'title',
  'description',
  'unit',
  'deviceType',
  'field',
  'aggregate',
  'windowSeconds',
  'sites',
  'rules',
]);

/**
 * Checks a definitions document (`{"indicators": [...]}`, untrusted JSON) and returns the
 * definitions, or throws naming every problem by its path (`indicators[0].rules[1].condition`).
 * Rules are checked by libs/rules' validateRule, as the operators' own rules are.
 */
export function parseIndicatorDefinitions(
  input: unknown,
  catalogue: IndicatorCatalogue,
  source = 'indicators',
): IndicatorDefinition[] {
  const problems: Array<{ field: string; message: string }> = [];
  const list = isObject(input) ? input.indicators : undefined;
  if (!Array.isArray(list))
    throw new IndicatorDefinitionError(source, [
      { field: 'indicators', message: 'must be an array of indicator definitions' },
    ]);
  const seen = new Set<string>();
  const definitions = list.map((raw, i) => {
    const at = `indicators[${i}]`;
    const fail = (field: string, message: string) => problems.push({ field: `${at}.${field}`, message });
    if (!isObject(raw)) {
      problems.push({ field: at, message: 'must be an object' });
      return undefined;
    }
    for (const key of Object.keys(raw)) if (!KEYS.has(key)) fail(key, 'is not an indicator property');
    const id = raw.id;
    if (typeof id !== 'string' || !ID.test(id)) fail('id', `must match ${ID}`);
    else if (seen.has(id)) fail('id', `${id} is defined twice`);
    else seen.add(id);
    if (typeof raw.title !== 'string' || raw.title === '' || raw.title.length > 200)
      fail('title', 'must be a string of 1 to 200 characters');
    for (const key of ['description', 'unit'] as const)
      if (raw[key] !== undefined && (typeof raw[key] !== 'string' || raw[key].length > 500))
        fail(key, 'must be a string');
    const fields = typeof raw.deviceType === 'string' ? catalogue.numericFields(raw.deviceType) : undefined;
    if (!fields) fail('deviceType', 'must be a device type of the catalogue');
    else if (typeof raw.field !== 'string' || !fields.includes(raw.field))
      fail('field', `must be a numeric field of ${String(raw.deviceType)}: ${fields.join(', ')}`);
    if (!AGGREGATES.includes(raw.aggregate as IndicatorAggregate))
      fail('aggregate', `must be one of ${AGGREGATES.join(', ')}`);
    const window = raw.windowSeconds;
    if (typeof window !== 'number' || !Number.isInteger(window) || window < 1 || window > MAX_WINDOW_S)
      fail('windowSeconds', `must be a whole number of seconds from 1 to ${MAX_WINDOW_S}`);
    if (
      raw.sites !== undefined &&
      (!Array.isArray(raw.sites) ||
        raw.sites.length === 0 ||
        !raw.sites.every((s) => typeof s === 'string' && SITE.test(s)))
    )
      fail('sites', 'must be a non-empty array of site names');
    const rules = parseRules(raw.rules, fail);
    return {
      id: id as string,
      title: raw.title as string,
      ...(raw.description !== undefined && { description: raw.description as string }),
      ...(raw.unit !== undefined && { unit: raw.unit as string }),
      deviceType: raw.deviceType as string,
      field: raw.field as string,
      aggregate: raw.aggregate as IndicatorAggregate,
      windowSeconds: window as number,
      ...(raw.sites !== undefined && { sites: [...new Set(raw.sites as string[])] }),
      rules,
    };
  });
  if (problems.length > 0) throw new IndicatorDefinitionError(source, problems);
  return definitions as IndicatorDefinition[];
}

function parseRules(input: unknown, fail: (field: string, message: string) => void): IndicatorRule[] {
  if (input === undefined) return [];
  if (!Array.isArray(input)) {
    fail('rules', 'must be an array of rules');
    return [];
  }
  const rules: IndicatorRule[] = [];
  input.forEach((raw, j) => {
    const at = `rules[${j}]`;
    if (!isObject(raw)) return fail(at, 'must be an object');
    for (const key of ['deviceType', 'field', 'scope', 'key'])
      if (key in raw) fail(`${at}.${key}`, 'is not a property of an indicator rule (it watches the indicator itself)');
    if (isObject(raw.condition) && raw.condition.kind === 'deadman')
      return fail(
        `${at}.condition.kind`,
        'must be above, below, outside or rate (an indicator has no device to fall silent)',
      );
    const checked = validateRule({ ...raw, deviceType: 'cluster-indicator', field: 'value' });
    if (!checked.ok) return checked.errors.forEach((e) => fail(`${at}.${e.field}`, e.message));
    const { deviceType: _type, field: _field, scope: _scope, key: _key, ...rule } = checked.rule;
    if (rules.some((r) => r.id === rule.id)) return fail(`${at}.id`, `${rule.id} is defined twice`);
    rules.push(rule as IndicatorRule);
  });
  return rules;
}

/** Reads and checks a definitions file; '' (none configured) is no indicators. */
export function loadIndicatorDefinitions(path: string, catalogue: IndicatorCatalogue): IndicatorDefinition[] {
  if (path === '') return [];
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new IndicatorDefinitionError(path, [{ field: 'file', message: `is not JSON: ${(err as Error).message}` }]);
  }
  return parseIndicatorDefinitions(json, catalogue, path);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
