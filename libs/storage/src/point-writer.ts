/**
 * The write port: one HTTP write of line protocol. Adapters do exactly one attempt and report a
 * failure as a `WriteFailedError`; what to do about it (retry, split, drop) is decided in one
 * place, `decideWrite`, and applied by `ResilientWriter`.
 */
export interface PointWriter {
  /** Writes newline-joined lines (ns timestamps) in one request; resolves on 2xx. */
  write(lines: string, lineCount: number): Promise<void>;
  /** Releases connections; further writes are not expected. */
  close(): Promise<void>;
}

/** What a failed write attempt told us: an HTTP answer, or none at all (network failure). */
export interface WriteFailure {
  /** HTTP status; undefined when no response arrived (refused, reset, timeout, DNS). */
  status?: number;
  /** The `Retry-After` header as sent: delay-seconds or an HTTP date. */
  retryAfter?: string;
  /** Response body (whole: 1.x puts `dropped=N` at its end), or the network error's message. */
  body?: string;
}

/** A write attempt that did not succeed, normalised across adapters. */
export class WriteFailedError extends Error implements WriteFailure {
  override readonly name = 'WriteFailedError';
  readonly status?: number;
  readonly retryAfter?: string;
  readonly body: string;

  constructor(failure: WriteFailure, options?: { cause?: unknown }) {
    const what = failure.status === undefined ? 'no response' : `HTTP ${failure.status}`;
    super(`InfluxDB write failed: ${what}${failure.body ? `: ${truncateBody(failure.body)}` : ''}`, options);
    this.status = failure.status;
    this.retryAfter = failure.retryAfter;
    this.body = failure.body ?? '';
  }
}

/** Keeps messages and reasons bounded: a 1.x 400 can quote every bad line of a 5,000-line batch. */
export const MAX_ERROR_BODY_CHARS = 1024;

export function truncateBody(body: string): string {
  return body.length > MAX_ERROR_BODY_CHARS ? body.slice(0, MAX_ERROR_BODY_CHARS) + '…' : body;
}

/** `ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1` rather than fetch's bare "fetch failed". */
export function networkReason(error: unknown): string {
  const err = error as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  if (cause?.message) return `${cause.code ?? err.name ?? 'Error'}: ${cause.message}`;
  return `${err?.code ?? err?.name ?? 'Error'}: ${err?.message ?? String(error)}`;
}
