import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@citypulse/observability';

export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming id is kept only if it cannot forge log lines or bloat them: a short token. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when sane (so a proxy's id follows the request), else a new UUID. */
export function requestIdOf(req: Request): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Every HTTP request gets an id, echoed in `x-request-id`, and one log line when it ends:
 * method, path (no query string), status, duration and the id. Never headers: the
 * Authorization header carries a token. Registered first, so refusals by the body parsers and
 * the token guard are logged too.
 */
export function requestLog(logger: Logger) {
  return function logRequest(req: Request, res: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // 'close' comes for finished and abandoned responses alike (an SSE stream ends with it).
    res.once('close', () => {
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100;
      logger.info(
        {
          requestId,
          method: req.method,
          path: req.path,
          status: res.statusCode,
          durationMs,
          finished: res.writableFinished,
        },
        'http request',
      );
    });
    next();
  };
}
