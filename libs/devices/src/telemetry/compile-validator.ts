import type { Rejection } from '@citypulse/contracts';
import type { DeviceTypeDefinition } from '../catalogue/device-type.js';
import { quote } from './describe.js';
import { compileFieldCheck, type FieldCheck } from './field-check.js';
import { rejection } from './rejection.js';
import type { SenmlOrigin } from './types.js';

export interface CompiledValidator {
  readonly type: DeviceTypeDefinition;
  /**
   * Checks every value of one reading, appending one Rejection per bad field to `out`.
   * Returns true when all passed. `senml` (SenML readings only) points each field at its record
   * and carries the unit it declared.
   */
  validateValues(
    values: Record<string, unknown>,
    index: number | undefined,
    out: Rejection[],
    senml?: ReadonlyMap<string, SenmlOrigin>,
  ): boolean;
}

interface CompiledField {
  check: FieldCheck;
  /** Units a SenML record may declare for this field. */
  units: ReadonlySet<string>;
  unitHint: string;
}

// Keyed by the definition object itself: the catalogue is frozen, so a definition never changes under its cache entry.
const cache = new WeakMap<DeviceTypeDefinition, CompiledValidator>();

/** The validator for a device type, built once per type and reused for every message. */
export function compileValidator(type: DeviceTypeDefinition): CompiledValidator {
  let validator = cache.get(type);
  if (!validator) {
    validator = build(type);
    cache.set(type, validator);
  }
  return validator;
}

function build(type: DeviceTypeDefinition): CompiledValidator {
  // A Map, not an object: a payload key such as "constructor" or "__proto__" must miss, not hit Object.prototype.
  const fields = new Map<string, CompiledField>();
  for (const [name, spec] of Object.entries(type.fields)) {
    const units = [spec.unit, spec.senmlUnit].filter((u): u is string => u !== undefined);
    const unitHint = units.length > 0 ? `expects ${units.map(quote).join(' or ')}` : 'has no unit';
    fields.set(name, { check: compileFieldCheck(name, spec), units: new Set(units), unitHint });
  }
  const known = [...fields.keys()].join(', ');

  function validateValues(
    values: Record<string, unknown>,
    index: number | undefined,
    out: Rejection[],
    senml?: ReadonlyMap<string, SenmlOrigin>,
  ): boolean {
    const before = out.length;
    const keys = Object.keys(values);
    if (keys.length === 0) {
      out.push(rejection('empty_values', index, undefined, 'the reading has no values'));
      return false;
    }
    for (let i = 0; i < keys.length; i++) {
      const name = keys[i];
      const origin = senml?.get(name);
      const at = origin ? origin.record : index;
      const field = fields.get(name);
      if (field === undefined) {
        out.push(
          rejection('unknown_field', at, name, `${quote(name)} is not a field of ${type.name} (fields: ${known})`),
        );
        continue;
      }
      if (origin?.unit !== undefined && !field.units.has(origin.unit)) {
        out.push(
          rejection(
            'invalid_senml',
            at,
            name,
            `${name} was sent in unit ${quote(origin.unit)}; ${type.name} ${name} ${field.unitHint}`,
          ),
        );
        continue;
      }
      const problem = field.check(values[name]);
      if (problem !== undefined) out.push(rejection(problem.reason, at, name, problem.detail));
    }
    return out.length === before;
  }

  return { type, validateValues };
}
