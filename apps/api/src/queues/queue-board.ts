import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { AuditLog } from '@citypulse/alert-store';
import { ApiQueues } from '../alerting/api-queues.js';
import { TokenVerifier } from '../auth/token-verifier.js';
import { boardAccess } from './board-access.js';

/** Under /queues, where the console's cookie is sent; GET /queues/:name never sees it (mounted first). */
export const QUEUE_BOARD_PATH = '/queues/board';

/**
 * The board's pages load only its own bundle from this origin (its Google Fonts stylesheet is
 * refused: the system font is used, and operators' browsers do not call a third party). Inline
 * styles stay allowed: the bundle's loading screen and components use them.
 */
export const QUEUE_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Mounts bull-board over the API's BullMQ queues at /queues/board, admin tokens only
 * (board-access.ts). Registered before Nest's routes, so it is served ahead of the /queues API.
 */
export function mountQueueBoard(app: INestApplication): void {
  const server = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [...app.get(ApiQueues).byName.values()].map((queue) => new BullMQAdapter(queue)),
    serverAdapter: server,
    options: {
      uiConfig: {
        boardTitle: 'citypulse queues',
        miscLinks: [{ text: 'Operator console', url: '/console' }],
        hideDocsLink: true,
      },
    },
  });
  app.use(QUEUE_BOARD_PATH, boardAccess(app.get(TokenVerifier), app.get(AuditLog)), boardHeaders, server.getRouter());
}

function boardHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', QUEUE_BOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  next();
}
