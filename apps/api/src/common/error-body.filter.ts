import { Catch, HttpException, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { errorBody } from './error-body.js';

/** Answers every HttpException, ours and Nest's own, with the one error body (error-body.ts). */
@Catch(HttpException)
export class ErrorBodyFilter extends BaseExceptionFilter {
  override catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    super.catch(
      new HttpException(errorBody(status, exception.getResponse(), exception.cause), status, { cause: exception }),
      host,
    );
  }
}
