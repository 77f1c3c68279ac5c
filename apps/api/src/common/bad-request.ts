import { BadRequestException } from '@nestjs/common';

/** One field at fault and everything wrong with it (nested fields as `parent.child`). */
export interface FieldProblem {
  field: string;
  problems: string[];
}

/**
 * The API's one 400 body, built only here:
 * `{ statusCode: 400, error: 'Bad Request', message, fields: [{ field, problems }] }`.
 * `message` defaults to the fields spelled out (`a: x; y | b: z`); `extra` adds request-specific
 * detail next to `fields` (the bulk routes' `rows`).
 */
export function fieldsBadRequest(
  fields: FieldProblem[],
  options: { message?: string; extra?: Record<string, unknown> } = {},
): BadRequestException {
  const message = options.message ?? fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | ');
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, ...options.extra, fields });
}

/** A 400 from `{ field, message }` pairs, each field listed once with all of its messages. */
export function badRequest(errors: Array<{ field: string; message: string }>): BadRequestException {
  const byField = new Map<string, string[]>();
  for (const e of errors) byField.set(e.field, [...(byField.get(e.field) ?? []), e.message]);
  return fieldsBadRequest([...byField].map(([field, problems]) => ({ field, problems })));
}
