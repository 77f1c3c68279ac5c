import type { INestApplication } from '@nestjs/common';
import { createValidationPipe } from './common/validation.js';

/** Applies the HTTP-wide settings shared by the api process and the all-in-one process. */
export function configureHttp(app: INestApplication): void {
  app.useGlobalPipes(createValidationPipe());
}
