import type { NextFunction, Request, Response } from 'express';
import { AuditLog } from '@citypulse/alert-store';
import { bearerToken, cookieValue } from '../auth/request-token.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import { CONSOLE_COOKIE } from '../console/console-session.controller.js';
import { refuseBoard } from './board-refusal.js';

/**
 * Guards the queue board (bull-board, a plain express app outside Nest's router, so TokenGuard does
 * not see it). The token comes as `Authorization: Bearer` or as the console's HttpOnly cookie (a
 * link cannot carry a header); it is checked by the same TokenVerifier. Only an admin of every
 * city gets in: queue jobs carry every city's data, and the board can retry, remove and pause them.
 * What the board changes goes to the audit log, as the /queues API's retries and removals do.
 */
export function boardAccess(verifier: TokenVerifier, audit: AuditLog) {
  return async function queueBoardAccess(req: Request, res: Response, next: NextFunction): Promise<void> {
    const token = bearerToken(req) ?? cookieValue(req, CONSOLE_COOKIE);
    if (!token)
      return refuseBoard(
        req,
        res,
        401,
        'a token is required: sign in through the console at /console, or send Authorization: Bearer <token>',
      );
    const verified = await verifier.verify(token);
    if (!verified) return refuseBoard(req, res, 401, 'invalid token: sign in again through the console at /console');
    const { tenancy } = verified;
    if (!tenancy.isClusterAdmin)
      return refuseBoard(req, res, 403, 'the queue board needs an admin token for every city');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        if (res.statusCode >= 400) return;
        audit
          .record({
            actor: tenancy.tokenName,
            action: `queue-board.${req.method.toLowerCase()}`,
            target: `queue-board:${req.path}`,
          })
          .catch(() => undefined);
      });
    }
    next();
  };
}
