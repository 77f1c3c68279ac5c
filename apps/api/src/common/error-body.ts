import { STATUS_CODES } from 'node:http';
import type { FieldProblem } from './bad-request.js';

/** The API's one error body. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  fields?: FieldProblem[];
  [more: string]: unknown;
}

/**
 * An HttpException's response in the one error shape. Ours are built that way already; Nest
 * builds some from a bare string — the body parser's 413 or 415, a malformed body's 400, a bad
 * percent-escape in the path — which lack `error`, and the 400s lack `fields`: a body that is not
 * JSON names `body`, a path that cannot be decoded names `path`.
 */
export function errorBody(status: number, response: string | object, cause?: unknown): ErrorBody {
  const given = (typeof response === 'string' ? { message: response } : response) as Record<string, unknown>;
  const error = typeof given.error === 'string' ? given.error : (STATUS_CODES[status] ?? 'Error');
  const message = Array.isArray(given.message)
    ? given.message.join(' | ')
    : typeof given.message === 'string'
      ? given.message
      : error;
  const body: ErrorBody = { ...given, statusCode: status, error, message };
  const field = cause instanceof SyntaxError ? 'body' : cause instanceof URIError ? 'path' : undefined;
  if (status === 400 && body.fields === undefined && field) body.fields = [{ field, problems: [message] }];
  return body;
}
