import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { createValidationPipe } from './common/validation.js';
import { ErrorBodyFilter } from './common/error-body.filter.js';
import { serveOpenApi } from './openapi/openapi.js';
import { bearerToken } from './auth/request-token.js';
import { mountQueueBoard } from './queues/queue-board.js';
import { requestLog } from './common/request-log.js';

/** Room per device of a bulk call: a JSON or CSV row is ~100-250 bytes. */
const BULK_BYTES_PER_DEVICE = 512;
const BULK_PATH = '/devices/bulk';

/** Applies the HTTP-wide settings shared by the api process and the all-in-one process. */
/**
 * A request Node's parser refuses (e.g. a 100 KB URL: header overflow) gets its status and a
 * half-close, so the client, still sending, reads the refusal: Node 24's default handler destroys
 * the socket at once and the client saw a reset instead of the 431.
 */
function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (!socket.writable) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

export function configureHttp(app: INestApplication): void {
  app.use(requestLog(app.get<Logger>(LOGGER).child({ component: 'http' })));
  answerMalformedRequests(app.getHttpServer() as Server);
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorBodyFilter(app.getHttpAdapter()));
  useBodyParsers(app, app.get<AppConfig>(APP_CONFIG));
  serveOpenApi(app);
  mountQueueBoard(app);
}

/**
 * Bodies are parsed before the token guard runs, so only POST /devices/bulk may send a large one
 * (CP_BULK_MAX_DEVICES rows), and only it takes CSV; every other route keeps express' 100 kB.
 * Registered before Nest's own parsers, which then skip themselves (they look for a `jsonParser`).
 */
function useBodyParsers(app: INestApplication, config: AppConfig): void {
  const bulkLimit = Math.max(1024 * 1024, config.provisioning.bulkMaxDevices * BULK_BYTES_PER_DEVICE);
  const small = express.json();
  const bulkJson = express.json({ limit: bulkLimit });
  const bulkCsv = express.text({ type: 'text/csv', limit: bulkLimit });
  app.use(function jsonParser(req: Request, res: Response, next: NextFunction) {
    if (req.path !== BULK_PATH) return small(req, res, next);
    // Up to megabytes: refuse a call without a bearer token before reading any of it. The token
    // itself is still checked by TokenGuard once the body is in.
    if (!bearerToken(req)) return refuseUnauthenticated(res);
    bulkJson(req, res, (err?: unknown) => (err ? next(err) : bulkCsv(req, res, next)));
  });
}

/** TokenGuard's 401 body; `Connection: close` so the unread body is not taken for the next request. */
function refuseUnauthenticated(res: Response): void {
  res.status(401).set('connection', 'close').json({
    statusCode: 401,
    error: 'Unauthorized',
    message: 'a bearer token is required (Authorization: Bearer <token>)',
  });
}
