import { BadRequestException } from '@nestjs/common';

/** A 400 in the API's one error shape ({statusCode, error, message, fields: [{field, problems}]}). */
export function badRequest(errors: Array<{ field: string; message: string }>): BadRequestException {
  const byField = new Map<string, string[]>();
  for (const e of errors) byField.set(e.field, [...(byField.get(e.field) ?? []), e.message]);
  const fields = [...byField].map(([field, problems]) => ({ field, problems }));
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | '),
    fields,
  });
}
