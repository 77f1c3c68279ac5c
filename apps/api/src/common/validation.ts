import { BadRequestException, ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { shapeProblems } from './json-shape.js';

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

function badRequest(fields: FieldProblem[]): BadRequestException {
  return new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: fields.map((f) => `${f.field}: ${f.problems.join('; ')}`).join(' | '),
    fields,
  });
}

/** Checks a body's or query's shape (json-shape.ts) before class-transformer walks it. */
class ShapeCheckedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = shapeProblems(value);
      if (problems.length > 0) throw badRequest(problems);
    }
    return super.transform(value, metadata);
  }
}

/**
 * class-validator on every body and query, with one error shape naming each field at fault:
 * `{ statusCode: 400, error: 'Bad Request', message, fields: [{ field, problems }] }`.
 */
export function createValidationPipe(): ValidationPipe {
  return new ShapeCheckedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => badRequest(flatten(errors)),
  });
}
