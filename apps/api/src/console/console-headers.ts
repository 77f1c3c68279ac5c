import type { Response } from 'express';

/**
 * The console's pages run only our own scripts and styles and talk only to this origin: even if
 * some device-supplied text slipped past escaping, the browser would refuse to run it.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every console response (the page and its assets). */
export function setConsoleHeaders(res: Response, contentType: string): void {
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  // The assets are small and change with each deploy; no stale console after an upgrade.
  res.setHeader('Cache-Control', 'no-cache');
}
