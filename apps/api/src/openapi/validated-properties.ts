import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import type { ApiPropertyOptions } from '@nestjs/swagger';

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];
type Scalar = StringConstructor | NumberConstructor | BooleanConstructor | ObjectConstructor | 'integer';

/**
 * What OpenAPI says of one validated property: the subset of @ApiProperty options class-validator's rules determine.
 */
export interface ValidatedProperty {
  type?: Scalar;
  isArray?: boolean;
  required: boolean;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  format?: string;
  default?: unknown;
  description?: string;
}

const byName = new Map<string, (p: ValidatedProperty, constraints: unknown[]) => void>([
  ['isString', (p) => (p.type = String)],
  ['isInt', (p) => (p.type = 'integer')],
  ['isNumber', (p) => (p.type = Number)],
  ['isBoolean', (p) => (p.type = Boolean)],
  ['isObject', (p) => (p.type = Object)],
  [
    'isIn',
    (p, [values]) =>
      Object.assign(p, {
        enum: [...(values as unknown[])],
        type: (values as unknown[]).every((v) => typeof v === 'number') ? Number : String,
      }),
  ],
  [
    'matches',
    (p, [pattern]) =>
      Object.assign(p, { type: String, pattern: pattern instanceof RegExp ? pattern.source : String(pattern) }),
  ],
  [
    'isLength',
    (p, [min, max]) => Object.assign(p, { type: String, minLength: min, ...(max !== undefined && { maxLength: max }) }),
  ],
  ['min', (p, [min]) => (p.minimum = min as number)],
  ['max', (p, [max]) => (p.maximum = max as number)],
  ['isUrl', (p) => Object.assign(p, { type: String, format: 'uri' })],
  ['isIso8601', (p) => Object.assign(p, { type: String, format: 'date-time' })],
  ['isArray', (p) => (p.isArray = true)],
  ['arrayNotEmpty', (p) => (p.minItems = 1)],
  ['arrayMinSize', (p, [min]) => (p.minItems = min as number)],
  ['arrayMaxSize', (p, [max]) => (p.maxItems = max as number)],
]);

/**
 * The OpenAPI description of a DTO's properties, read from its class-validator rules (inherited
 * ones too) — what the swagger CLI plugin's `classValidatorShim` derives at compile time, which
 * citypulse cannot use (tsc, not `nest build`). A property is required unless @IsOptional; its
 * default is the class's initialiser (`limit = 100`); its description is the custom message the
 * API answers a bad value with. Rules not listed here only lose their documentation, never their check.
 */
export function validatedProperties(dto: new () => object): Record<string, ValidatedProperty> {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const defaults = new dto() as Record<string, unknown>;
  const out: Record<string, ValidatedProperty> = {};
  for (const m of metadata) {
    const p = (out[m.propertyName] ??= propertyBase(dto, m.propertyName, defaults[m.propertyName]));
    if (m.name === 'isOptional') p.required = false;
    if (m.each) p.isArray = true;
    byName.get(m.name ?? '')?.(p, m.constraints ?? []);
    const message = messageOf(m);
    if (message && !p.description?.includes(message))
      p.description = p.description ? `${p.description}; ${message}` : message;
  }
  return out;
}

function propertyBase(dto: new () => object, name: string, initial: unknown): ValidatedProperty {
  const designType = Reflect.getMetadata('design:type', dto.prototype as object, name) as unknown;
  const p: ValidatedProperty = { required: true };
  if (designType === Array) p.isArray = true;
  else if (designType === String || designType === Number || designType === Boolean || designType === Object)
    p.type = designType as Scalar;
  if (initial !== undefined) p.default = initial;
  return p;
}

/** A rule's own message (not class-validator's generic one), with `$property` filled in. */
function messageOf(m: ValidationMetadata): string | undefined {
  return typeof m.message === 'string' ? m.message.replaceAll('$property', m.propertyName) : undefined;
}

/** The same, as the options @ApiProperty takes (`type: 'integer'` stays a string; swagger maps the constructors). */
export function toApiPropertyOptions(p: ValidatedProperty): ApiPropertyOptions {
  const { type, ...rest } = p;
  return { ...rest, ...(type !== undefined && { type: type as ApiPropertyOptions['type'] }) } as ApiPropertyOptions;
}
