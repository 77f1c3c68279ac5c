import { truncateBody, type WriteFailure } from './point-writer.js';

/*
 * Every failed write is classified here, once (model: telegraf's InfluxDB outputs, errors.go
 * and http.go). ResilientWriter only applies the decision.
 */

export interface BackoffOptions {
  /** Upper bound of the first retry delay. @defaultValue 250 */
  initialDelayMs: number;
  /** Upper bound of any backoff delay; also the delay of `fatal` retries. @defaultValue 30000 */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 30_000 };

/**
 * A Retry-After beyond this is not believed: a misconfigured proxy answering `Retry-After: 86400`
 * must not stall ingest for a day while readings pile up in the hand-off stream.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

export type WriteDecision =
  /** Transient (network, 429, 5xx): write the same lines again after `delayMs`. */
  | { action: 'retry'; delayMs: number; reason: string }
  /**
   * Needs a human (401/403 credentials, 404 unknown database/bucket, unexpected status): the data
   * is fine, so it is neither dropped nor given up on; retried slowly and logged as an error.
   */
  | { action: 'fatal'; delayMs: number; reason: string }
  /** Too large (413), or a 400 that does not say which lines were bad: write each half separately. */
  | { action: 'split'; reason: string }
  /**
   * Bad points the server will never accept. `dropped` of the batch's lines are gone; the rest
   * were written (1.x "partial write") — or there is only one line, and it is the bad one.
   */
  | { action: 'drop'; dropped: number; category: DropCategory; reason: string };

/** Why points were dropped, as a short fixed label (safe as a metric label, unlike `reason`). */
export type DropCategory =
  | 'field_type_conflict'
  | 'unparseable'
  | 'beyond_retention'
  | 'invalid_field'
  | 'server_limit'
  | 'too_large'
  | 'bad_request';

export interface DecisionContext extends BackoffOptions {
  /** Lines in the batch that failed. */
  lineCount: number;
  /** Consecutive failures of this batch, 1 for the first. */
  attempt: number;
  /** For a Retry-After given as an HTTP date. @defaultValue Date.now() */
  nowMs?: number;
  /** Source of jitter in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

/**
 * Answers about the request, not its points (1.6.7: 400 "database is required", 400 "unexpected
 * EOF" for a broken gzip body, 500 "retention policy not found"). Halving would end with every
 * line "isolated" and dropped, so these must never reach the bad-points rule.
 */
const REQUEST_LEVEL_ERROR =
  /database is required|database name required|unexpected EOF|gzip|retention policy not found|bucket not found|organization not found/i;

export function decideWrite(failure: WriteFailure, ctx: DecisionContext): WriteDecision {
  const { status } = failure;
  const reason = describe(failure);
  const body = failure.body ?? '';
  if (
    status !== undefined &&
    REQUEST_LEVEL_ERROR.test(body) &&
    !body.includes('unable to parse') &&
    !body.includes('partial write')
  ) {
    return { action: 'fatal', delayMs: ctx.maxDelayMs, reason };
  }
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    const after = parseRetryAfter(failure.retryAfter, ctx.nowMs ?? Date.now());
    const delayMs = after !== undefined ? Math.min(after, MAX_RETRY_AFTER_MS) : backoffDelay(ctx);
    return { action: 'retry', delayMs, reason };
  }
  if (status === 413) {
    // A single line above the server's body limit can never be stored.
    return ctx.lineCount > 1
      ? { action: 'split', reason }
      : { action: 'drop', dropped: 1, category: 'too_large', reason };
  }
  if (status === 400 || status === 422) return decideBadPoints(body, ctx.lineCount, reason);
  // 401/403/404 and anything unexpected: dropping would lose good data, retrying fast is pointless.
  return { action: 'fatal', delayMs: ctx.maxDelayMs, reason };
}

/**
 * InfluxDB 1.x (and 2.x for type conflicts / retention) answer "partial write: … dropped=N": the
 * other points were stored. 1.6.7 leaves unparseable lines out of N ("unable to parse … dropped=0")
 * and lists each of them, so those are added (when a batch also has a type conflict, 1.6.7
 * reports only the conflict: the count is then a lower bound). 1.x answers without "partial
 * write" only when no line parsed; it then lists every line. Any other 400 (2.x rejects a whole
 * batch on one parse error) says nothing usable, so the batch is halved until the bad lines
 * stand alone — rewriting the good ones is harmless, a point's identity is fixed.
 */
function decideBadPoints(body: string, lineCount: number, reason: string): WriteDecision {
  const unparseable = countOccurrences(body, 'unable to parse');
  const category = dropCategory(body);
  if (body.includes('partial write')) {
    const dropped = Math.min(lineCount, droppedCount(body) + unparseable);
    if (dropped > 0) return { action: 'drop', dropped, category, reason };
  } else if (unparseable === lineCount) {
    return { action: 'drop', dropped: lineCount, category, reason };
  }
  return lineCount > 1 ? { action: 'split', reason } : { action: 'drop', dropped: 1, category, reason };
}

/** The first matching phrase of InfluxDB's (1.x/2.x) error texts decides the label. */
export function dropCategory(body: string): DropCategory {
  if (body.includes('field type conflict')) return 'field_type_conflict';
  if (body.includes('beyond retention policy')) return 'beyond_retention';
  if (body.includes('unable to parse')) return 'unparseable';
  if (body.includes('invalid field name')) return 'invalid_field';
  if (body.includes('max-values-per-tag') || body.includes('max series') || body.includes('limit exceeded'))
    return 'server_limit';
  return 'bad_request';
}

function droppedCount(body: string): number {
  const match = /dropped=(\d+)/.exec(body);
  return match ? Number(match[1]) : 0;
}

function countOccurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) count++;
  return count;
}

/**
 * Exponential backoff with full jitter (a uniform delay in [0, min(max, initial·2^(attempt-1))]):
 * writers that failed together do not retry together.
 */
export function backoffDelay(
  ctx: Pick<DecisionContext, 'attempt' | 'initialDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const exponent = Math.min(Math.max(ctx.attempt - 1, 0), 30);
  const ceiling = Math.min(ctx.maxDelayMs, ctx.initialDelayMs * 2 ** exponent);
  return Math.round((ctx.random ?? Math.random)() * ceiling);
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP date names its month; without this, Date.parse reads "-1" as a year.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describe(failure: WriteFailure): string {
  const body = truncateBody((failure.body ?? '').trim());
  const head = failure.status === undefined ? 'no response' : `HTTP ${failure.status}`;
  return body ? `${head}: ${body}` : head;
}
