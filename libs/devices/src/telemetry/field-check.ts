import type { RejectionReason } from '@citypulse/contracts';
import type { FieldSpec } from '../catalogue/fields.js';
import { show, typeName, withUnit } from './describe.js';

export interface FieldProblem {
  reason: RejectionReason;
  detail: string;
}

/** Checks one value of one field; undefined when it is fine. Only failures allocate. */
export type FieldCheck = (value: unknown) => FieldProblem | undefined;

/** Turns a FieldSpec into a closure with its bounds captured, so the hot loop does plain comparisons. */
export function compileFieldCheck(name: string, spec: FieldSpec): FieldCheck {
  switch (spec.kind) {
    case 'number':
      return numberCheck(name, spec, false);
    case 'integer':
      return numberCheck(name, spec, true);
    case 'boolean':
      return (value) => (typeof value === 'boolean' ? undefined : wrongType(name, value, 'true or false'));
    case 'enum':
      return enumCheck(name, spec.values ?? []);
    case 'text':
      return textCheck(name, new RegExp(spec.pattern ?? ''), spec.maxLength ?? Infinity);
  }
}

function numberCheck(name: string, spec: FieldSpec, integer: boolean): FieldCheck {
  const min = spec.min ?? -Infinity;
  const max = spec.max ?? Infinity;
  const expected = integer ? 'an integer' : 'a number';
  return (value) => {
    if (typeof value !== 'number') return wrongType(name, value, spec.unit ? `${expected} (${spec.unit})` : expected);
    // JSON has no NaN/Infinity literals, but JSON.parse turns 1e999 into Infinity.
    if (!Number.isFinite(value)) return { reason: 'not_finite', detail: `${name} = ${value} is not a finite number` };
    if (integer && !Number.isInteger(value))
      return { reason: 'wrong_type', detail: `${name} = ${value} is not an integer` };
    if (value < min)
      return { reason: 'out_of_range', detail: `${name} = ${value} is below the minimum ${withUnit(min, spec.unit)}` };
    if (value > max)
      return { reason: 'out_of_range', detail: `${name} = ${value} is above the maximum ${withUnit(max, spec.unit)}` };
    return undefined;
  };
}

function enumCheck(name: string, values: readonly string[]): FieldCheck {
  const allowed = new Set(values);
  const list = values.join(', ');
  return (value) => {
    if (typeof value !== 'string') return wrongType(name, value, `one of ${list}`);
    if (!allowed.has(value)) return { reason: 'wrong_type', detail: `${name} = ${show(value)} is not one of ${list}` };
    return undefined;
  };
}

function textCheck(name: string, pattern: RegExp, maxLength: number): FieldCheck {
  return (value) => {
    if (typeof value !== 'string') return wrongType(name, value, 'a string');
    if (value.length > maxLength)
      return {
        reason: 'out_of_range',
        detail: `${name} is ${value.length} characters long; at most ${maxLength} are allowed`,
      };
    if (!pattern.test(value))
      return { reason: 'wrong_type', detail: `${name} = ${show(value)} does not match ${pattern.source}` };
    return undefined;
  };
}

function wrongType(name: string, value: unknown, expected: string): FieldProblem {
  const sent = typeof value === 'object' ? name : `${name} = ${show(value)}`;
  return { reason: 'wrong_type', detail: `${sent} is ${typeName(value)}; expected ${expected}` };
}
