import { UsageError } from './args.js';

/**
 * A failure the user can act on, already said in a sentence (an unreachable broker, nothing
 * delivered): printed as one line, exit 1.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
}

/** System errors about a path: the path and what is wrong with it is the whole story. */
const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
};
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SystemError {
  code?: string | number;
  path?: unknown;
  address?: unknown;
  port?: string | number;
  hostname?: unknown;
  cause?: unknown;
}

export interface Reported {
  message: string;
  exitCode: number;
  /** A bug or an error nobody put into words for the user: the stack helps (DEBUG=1 shows it). */
  unexpected: boolean;
}

/**
 * What to tell the user about an error that ended a command: bad arguments exit 2, files and
 * servers the user named exit 1 with one line; anything else is unexpected (still one line, the
 * stack with DEBUG=1).
 */
export function describeError(err: unknown): Reported {
  const e = (err ?? {}) as SystemError & Error;
  if (err instanceof UsageError || String(e.code ?? '').startsWith('ERR_PARSE_ARGS'))
    return { message: e.message, exitCode: 2, unexpected: false };
  if (err instanceof CliError) return { message: e.message, exitCode: 1, unexpected: false };
  const code = String(e.code ?? '');
  if (code in FILE_ERRORS && typeof e.path === 'string')
    return { message: `${e.path}: ${FILE_ERRORS[code]}`, exitCode: 1, unexpected: false };
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR')
    return { message: `not a gzip capture (${e.message})`, exitCode: 1, unexpected: false };
  // fetch() wraps the socket's error: TypeError('fetch failed', { cause }).
  const network = [e, e.cause as SystemError | undefined].find((x) => x && NETWORK_ERRORS.has(String(x.code)));
  if (network)
    return { message: `cannot reach ${where(network)} (${String(network.code)})`, exitCode: 1, unexpected: false };
  if (typeof e.message === 'string') return { message: e.message, exitCode: 1, unexpected: true };
  return { message: String(err), exitCode: 1, unexpected: true };
}

function where(e: SystemError): string {
  if (typeof e.address === 'string') return e.port !== undefined ? `${e.address}:${e.port}` : e.address;
  if (typeof e.hostname === 'string') return e.hostname;
  return 'the server';
}
