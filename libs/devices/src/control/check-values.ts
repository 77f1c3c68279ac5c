import type { ConfigValue, RejectionReason } from '@citypulse/contracts';
import type { FieldSpec } from '../catalogue/fields.js';
import { compileFieldCheck } from '../telemetry/field-check.js';
import { isObject, quote, typeName } from '../telemetry/describe.js';

/** One problem with one key of a config patch or command params; `key` is absent when the whole object is wrong. */
export interface ValueProblem {
  key?: string;
  reason: RejectionReason;
  detail: string;
}

export interface CheckedValues<V> {
  values: Record<string, V>;
  problems: ValueProblem[];
}

/**
 * Checks an object of values against a schema of FieldSpecs (a type's config keys or a command's
 * params): every key must be in the schema and its value fit the spec. With `allowNull`, null means
 * "remove this key" (a partial update). `what` names the object in details ("config key", "param").
 */
export function checkValues(
  schema: Readonly<Record<string, FieldSpec>>,
  input: unknown,
  options: { allowNull: boolean; what: string; typeName: string },
): CheckedValues<ConfigValue | null> {
  if (!isObject(input))
    return {
      values: {},
      problems: [{ reason: 'invalid_shape', detail: `expected an object of ${options.what}s; got ${typeName(input)}` }],
    };
  const values: Record<string, ConfigValue | null> = {};
  const problems: ValueProblem[] = [];
  for (const [key, value] of Object.entries(input)) {
    const spec = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!spec) {
      const known = Object.keys(schema);
      problems.push({
        key,
        reason: 'unknown_field',
        detail:
          `${quote(key)} is not a ${options.what} ` +
          `of ${options.typeName}${known.length ? ` (${known.join(', ')})` : ''}`,
      });
      continue;
    }
    if (value === null && options.allowNull) {
      values[key] = null;
      continue;
    }
    const problem = compileFieldCheck(key, spec)(value);
    if (problem) problems.push({ key, ...problem });
    else values[key] = value as ConfigValue;
  }
  return { values, problems };
}
