import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** class-validator's nested errors as one list of `{ field, problems }` (nested fields as `parent.child`). */
export function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * class-validator on every body and query, with one error shape naming each field at fault:
 * `{ statusCode: 400, error: 'Bad Request', message, fields: [{ field, problems }] }`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | '),
        fields,
      });
    },
  });
}
