import type { Condition, RuleDefinition, RuleScope, Severity } from './types.js';

export interface RuleFieldError {
  /** Dotted path of the offending property, e.g. `condition.clearBelow`. */
  field: string;
  message: string;
}

export type RuleValidation = { ok: true; rule: RuleDefinition } | { ok: false; errors: RuleFieldError[] };

/** What validation may ask of the device catalogue (kept as a port: this library does no lookups of its own). */
export interface RuleCatalogue {
  /** The numeric fields of a device type, or undefined when the type does not exist. */
  numericFields(deviceType: string): readonly string[] | undefined;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];
const TOP_LEVEL = new Set([
  'id',
  'key',
  'deviceType',
  'scope',
  'field',
  'condition',
  'forSeconds',
  'severity',
  'enabled',
  'description',
  'renotifySeconds',
]);
const CONDITION_KEYS: Record<Condition['kind'], readonly string[]> = {
  above: ['kind', 'threshold', 'clearBelow'],
  below: ['kind', 'threshold', 'clearAbove'],
  outside: ['kind', 'low', 'high', 'clearMargin'],
  rate: ['kind', 'min', 'max', 'clearMargin'],
  deadman: ['kind', 'afterSeconds', 'when'],
};
const MAX_SECONDS = 7 * 24 * 3600;

/**
 * What a scope may name: the device registry's own patterns for a device's id, city and site
 * (libs/registry device.ts; copied, as this library imports nothing outside itself; a spec in the
 * api checks they stay equal). A scope is matched against devices and may reach a query or a log
 * line, so `{"site": "a,b=c d\n"}` is refused like the same value on a device.
 */
export const SCOPE_PATTERNS = {
  deviceId: {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    message:
      'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit (a device id)',
  },
  city: { pattern: /^[a-z0-9][a-z0-9-]{0,39}$/, message: 'must be a lower-case slug such as "beijing"' },
  site: { pattern: /^[a-z0-9][a-z0-9._-]{0,63}$/, message: 'must be a lower-case slug such as "bj-chaoyang-01"' },
} as const;

/**
 * Checks an operator's rule (untrusted JSON) and returns it normalised, or every problem at once,
 * each naming the field at fault. Rejects what would make a rule misbehave rather than fail: a
 * clear level on the wrong side of the threshold (it would resolve at once, or never), an empty
 * band, a field the device type does not have.
 */
export function validateRule(input: unknown, catalogue?: RuleCatalogue): RuleValidation {
  const errors: RuleFieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  if (!isObject(input)) return { ok: false, errors: [{ field: 'body', message: 'a rule must be a JSON object' }] };
  for (const key of Object.keys(input)) if (!TOP_LEVEL.has(key)) fail(key, 'is not a rule property');

  const id = input.id;
  if (typeof id !== 'string' || !ID.test(id)) fail('id', `must match ${ID}`);
  if (input.key !== undefined && (typeof input.key !== 'string' || !ID.test(input.key)))
    fail('key', `must match ${ID}`);
  const deviceType = input.deviceType;
  let numericFields: readonly string[] | undefined;
  if (typeof deviceType !== 'string' || deviceType === '') fail('deviceType', 'must be a device type name');
  else if (catalogue) {
    numericFields = catalogue.numericFields(deviceType);
    if (!numericFields) fail('deviceType', `${deviceType} is not in the device catalogue`);
  }
  const scope = validateScope(input.scope, fail);
  const condition = validateCondition(input.condition, fail);

  // From the input, not the checked condition: a bad deadman condition must not also ask for a field.
  const isDeadman = isObject(input.condition) && input.condition.kind === 'deadman';
  let field = '';
  if (isDeadman) {
    if (input.field !== undefined && input.field !== '')
      fail('field', 'a deadman rule watches the whole device: leave field out');
  } else if (typeof input.field !== 'string' || input.field === '')
    fail('field', 'must name the reading field to compare');
  else {
    field = input.field;
    if (numericFields && !numericFields.includes(field))
      fail(
        'field',
        `${String(deviceType)} has no numeric field ${field} (numeric fields: ${numericFields.join(', ')})`,
      );
  }

  const forSeconds = input.forSeconds ?? 0;
  if (!isInteger(forSeconds, 0, MAX_SECONDS)) fail('forSeconds', `must be an integer from 0 to ${MAX_SECONDS}`);
  else if (isDeadman && forSeconds !== 0)
    fail('forSeconds', 'a deadman rule takes its window from condition.afterSeconds');
  if (!SEVERITIES.includes(input.severity as Severity)) fail('severity', `must be one of ${SEVERITIES.join(', ')}`);
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') fail('enabled', 'must be true or false');
  if (input.description !== undefined && (typeof input.description !== 'string' || input.description.length > 500))
    fail('description', 'must be a string of at most 500 characters');
  if (input.renotifySeconds !== undefined && !isInteger(input.renotifySeconds, 0, MAX_SECONDS))
    fail('renotifySeconds', `must be an integer from 0 to ${MAX_SECONDS}`);

  if (errors.length > 0 || !condition) return { ok: false, errors };
  const rule: RuleDefinition = {
    id: id as string,
    deviceType: deviceType as string,
    field,
    condition,
    forSeconds: forSeconds as number,
    severity: input.severity as Severity,
    enabled: enabled as boolean,
  };
  if (input.key !== undefined) rule.key = input.key as string;
  if (scope) rule.scope = scope;
  if (input.description !== undefined) rule.description = input.description as string;
  if (input.renotifySeconds) rule.renotifySeconds = input.renotifySeconds as number;
  return { ok: true, rule };
}

function validateScope(scope: unknown, fail: (field: string, message: string) => void): RuleScope | undefined {
  if (scope === undefined) return undefined;
  if (!isObject(scope)) {
    fail('scope', 'must be an object with city, site and/or deviceId');
    return undefined;
  }
  const out: RuleScope = {};
  for (const [key, value] of Object.entries(scope)) {
    if (key !== 'city' && key !== 'site' && key !== 'deviceId')
      fail(`scope.${key}`, 'is not a scope property (city, site, deviceId)');
    else if (typeof value !== 'string' || !SCOPE_PATTERNS[key].pattern.test(value))
      fail(`scope.${key}`, SCOPE_PATTERNS[key].message);
    else out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function validateCondition(input: unknown, fail: (field: string, message: string) => void): Condition | undefined {
  if (!isObject(input)) {
    fail('condition', 'must be an object with a kind');
    return undefined;
  }
  const kind = input.kind as Condition['kind'];
  if (!Object.hasOwn(CONDITION_KEYS, kind)) {
    fail('condition.kind', `must be one of ${Object.keys(CONDITION_KEYS).join(', ')}`);
    return undefined;
  }
  const before = { count: 0 };
  const problem = (field: string, message: string) => {
    before.count++;
    fail(`condition.${field}`, message);
  };
  for (const key of Object.keys(input))
    if (!CONDITION_KEYS[kind].includes(key)) problem(key, `is not a property of a ${kind} condition`);
  const num = (key: string, required: boolean): number | undefined => {
    const value = input[key];
    if (value === undefined) {
      if (required) problem(key, 'is required');
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) problem(key, 'must be a finite number');
    return value as number;
  };
  let condition: Condition | undefined;
  switch (kind) {
    case 'above': {
      const threshold = num('threshold', true);
      const clearBelow = num('clearBelow', false);
      if (threshold !== undefined && clearBelow !== undefined && clearBelow > threshold)
        problem('clearBelow', `must be at or below the threshold ${threshold} (hysteresis on the normal side)`);
      condition = { kind, threshold: threshold!, ...(clearBelow !== undefined && { clearBelow }) };
      break;
    }
    case 'below': {
      const threshold = num('threshold', true);
      const clearAbove = num('clearAbove', false);
      if (threshold !== undefined && clearAbove !== undefined && clearAbove < threshold)
        problem('clearAbove', `must be at or above the threshold ${threshold} (hysteresis on the normal side)`);
      condition = { kind, threshold: threshold!, ...(clearAbove !== undefined && { clearAbove }) };
      break;
    }
    case 'outside': {
      const low = num('low', true);
      const high = num('high', true);
      const clearMargin = num('clearMargin', false);
      if (low !== undefined && high !== undefined && !(low < high)) problem('high', 'must be above low');
      else if (
        clearMargin !== undefined &&
        (clearMargin < 0 || (low !== undefined && high !== undefined && clearMargin * 2 >= high - low))
      )
        problem('clearMargin', 'must be at least 0 and less than half the band');
      condition = { kind, low: low!, high: high!, ...(clearMargin !== undefined && { clearMargin }) };
      break;
    }
    case 'rate': {
      const min = num('min', false);
      const max = num('max', false);
      const clearMargin = num('clearMargin', false);
      if (min === undefined && max === undefined)
        problem('min', 'a rate condition needs min, max or both (per second)');
      if (min !== undefined && max !== undefined && !(min < max)) problem('max', 'must be above min');
      if (clearMargin !== undefined && clearMargin < 0) problem('clearMargin', 'must be at least 0');
      condition = {
        kind,
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
        ...(clearMargin !== undefined && { clearMargin }),
      };
      break;
    }
    case 'deadman': {
      const afterSeconds = input.afterSeconds;
      if (!isInteger(afterSeconds, 1, MAX_SECONDS))
        problem('afterSeconds', `must be an integer from 1 to ${MAX_SECONDS}`);
      const when = input.when ?? 'no-data';
      if (when !== 'no-data' && when !== 'offline') problem('when', "must be 'no-data' or 'offline'");
      condition = { kind, afterSeconds: afterSeconds as number, when: when as 'no-data' | 'offline' };
      break;
    }
  }
  return before.count === 0 ? condition : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
