import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { fieldsBadRequest, type FieldProblem } from './bad-request.js';
import { shapeProblems } from './json-shape.js';

/** class-validator's nested errors as one list of `{ field, problems }` (nested fields as `parent.child`). */
export function flatten(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Checks a body's or query's shape (json-shape.ts) before class-transformer walks it. */
class ShapeCheckedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const problems = shapeProblems(value);
      if (problems.length > 0) throw fieldsBadRequest(problems);
    }
    return super.transform(value, metadata);
  }
}

/**
 * class-validator on every body and query, failing with the API's one 400 body (bad-request.ts).
 */
export function createValidationPipe(): ValidationPipe {
  return new ShapeCheckedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => fieldsBadRequest(flatten(errors)),
  });
}
