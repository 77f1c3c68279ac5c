import type { Request, Response } from 'express';

const ERRORS = { 401: 'Unauthorized', 403: 'Forbidden' } as const;

/**
 * A refusal at the queue board: the API's one error body for scripts, and for a browser that
 * navigated there (no cookie yet, or a revoked token) a short page saying where to sign in.
 */
export function refuseBoard(req: Request, res: Response, status: 401 | 403, message: string): void {
  res.setHeader('Cache-Control', 'no-store');
  if (req.accepts(['json', 'html']) !== 'html') {
    res.status(status).json({ statusCode: status, error: ERRORS[status], message });
    return;
  }
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  res.status(status).type('html').send(refusalPage(status, message));
}

function refusalPage(status: 401 | 403, message: string): string {
  // `message` is one of board-access.ts's fixed texts; escaped anyway, it is put into HTML.
  const text = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>citypulse queues: ${ERRORS[status]}</title>
</head>
<body>
<h1>${status} ${ERRORS[status]}</h1>
<p>${text}.</p>
<p><a href="/console">Sign in through the operator console</a> with an admin token,
then open the queue dashboard from its Queues view.</p>
</body>
</html>
`;
}
