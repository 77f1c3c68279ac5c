import { setTimeout as sleep } from 'node:timers/promises';
import { createPointWriter, type PointWriterOptions } from './create-point-writer.js';
import { WriteFailedError, type PointWriter, type WriteFailure } from './point-writer.js';
import {
  DEFAULT_BACKOFF,
  decideWrite,
  type BackoffOptions,
  type DropCategory,
  type WriteDecision,
} from './write-decision.js';

export interface WriteOutcome {
  /** Lines the server stored (or already had: rewriting a point is harmless). */
  written: number;
  /** Lines the server will never accept (bad points), deliberately given up on. */
  dropped: number;
  /** Why, one entry per drop decision (at most MAX_DROP_REASONS). */
  droppedReasons: string[];
  /** HTTP write attempts made, splits and retries included. */
  attempts: number;
}

/** Minimal logger shape (pino's `error(obj, msg)`), so this lib needs no logging dependency. */
export interface WriteLogger {
  error(obj: object, msg: string): void;
}

export interface ResilientWriterOptions extends Partial<BackoffOptions> {
  /** Stops retrying: the pending `writeBatch` rejects with an AbortError (shutdown). */
  signal?: AbortSignal;
  /** Each retry (retryable or fatal), before waiting; `status` is 'network' when no response came. */
  onRetry?: (status: number | 'network', delayMs: number, reason: string) => void;
  /** Each failed attempt, whatever is decided next (retry, split, drop); 'network' when no response came. */
  onWriteError?: (status: number | 'network') => void;
  /** Each drop decision: lines lost, a fixed label for metrics, the server's words for logs. */
  onDropped?: (count: number, category: DropCategory, reason: string) => void;
  /** Fatal failures (401/403/404…) are logged here as errors on every attempt. @defaultValue console */
  logger?: WriteLogger;
  /** Jitter source, for deterministic tests. @defaultValue Math.random */
  random?: () => number;
}

/** Reasons kept per batch: a batch of 5,000 bad lines must not carry 5,000 strings around. */
export const MAX_DROP_REASONS = 20;

const consoleLogger: WriteLogger = { error: (obj, msg) => console.error(msg, obj) };

/**
 * Applies `decideWrite` to a PointWriter: a batch resolves only once every line is written or
 * deliberately dropped as a bad point. Transient failures are retried forever with backoff —
 * the caller keeps the batch pending in the hand-off stream meanwhile — until `signal` aborts.
 */
export class ResilientWriter {
  private readonly backoff: BackoffOptions;
  private readonly logger: WriteLogger;

  constructor(
    private readonly writer: PointWriter,
    private readonly options: ResilientWriterOptions = {},
  ) {
    this.backoff = {
      initialDelayMs: options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
      maxDelayMs: options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs,
    };
    this.logger = options.logger ?? consoleLogger;
  }

  /**
   * Writes `lines` (one point each, no newline inside) and resolves with what happened to them.
   * Rejects only with an AbortError, when `signal` (here or in the options) aborts a retry.
   */
  async writeBatch(lines: readonly string[], options: { signal?: AbortSignal } = {}): Promise<WriteOutcome> {
    // `toLineProtocol([]).split('\n')` is [''], and an empty line is no point to count.
    const points = lines.some((l) => l === '') ? lines.filter((l) => l !== '') : lines;
    return this.writeBody(bodyOfLines(points), options.signal);
  }

  /**
   * Writes text already joined — `lineCount` points, `\n`-separated, no empty line — as it is: the
   * ingest worker passes the hand-off entries' texts, as the broker wrote them, without splitting
   * them into lines and joining them again. Only a batch the server refuses whole (413, a bad
   * point in a batch it rejects entire) is split into lines, to write it in halves. Same outcome
   * and rejection as `writeBatch`.
   */
  async writeText(text: string, lineCount: number, options: { signal?: AbortSignal } = {}): Promise<WriteOutcome> {
    return this.writeBody(bodyOfText(text, lineCount), options.signal);
  }

  async close(): Promise<void> {
    await this.writer.close();
  }

  private async writeBody(body: LineBody, signal: AbortSignal | undefined): Promise<WriteOutcome> {
    const outcome: WriteOutcome = { written: 0, dropped: 0, droppedReasons: [], attempts: 0 };
    if (body.count > 0) await this.writeChunk(body, outcome, combineSignals(this.options.signal, signal));
    return outcome;
  }

  private async writeChunk(body: LineBody, outcome: WriteOutcome, signal: AbortSignal | undefined): Promise<void> {
    for (let failures = 1; ; failures++) {
      throwIfAborted(signal);
      outcome.attempts++;
      let failure: WriteFailure;
      try {
        await this.writer.write(body.text(), body.count);
        outcome.written += body.count;
        return;
      } catch (error) {
        failure = error instanceof WriteFailedError ? error : { body: String(error) };
      }
      this.options.onWriteError?.(failure.status ?? 'network');
      const decision = decideWrite(failure, {
        ...this.backoff,
        lineCount: body.count,
        attempt: failures,
        random: this.options.random,
      });
      if (decision.action === 'split') {
        // Sequential halves: a batch is one unit of the caller's concurrency budget.
        const lines = body.lines();
        const half = Math.ceil(lines.length / 2);
        await this.writeChunk(bodyOfLines(lines.slice(0, half)), outcome, signal);
        await this.writeChunk(bodyOfLines(lines.slice(half)), outcome, signal);
        return;
      }
      if (decision.action === 'drop') {
        this.recordDrop(body.count, decision, outcome);
        return;
      }
      if (decision.action === 'fatal') {
        // Retried too (slowly) so nothing is lost once someone fixes it — but never quietly.
        this.logger.error(
          { status: failure.status, attempt: failures, lines: body.count },
          `InfluxDB write needs attention, retrying in ${decision.delayMs} ms: ${decision.reason}`,
        );
      }
      this.options.onRetry?.(failure.status ?? 'network', decision.delayMs, decision.reason);
      await pause(decision.delayMs, signal);
    }
  }

  private recordDrop(
    lineCount: number,
    decision: Extract<WriteDecision, { action: 'drop' }>,
    outcome: WriteOutcome,
  ): void {
    outcome.dropped += decision.dropped;
    outcome.written += lineCount - decision.dropped;
    if (outcome.droppedReasons.length < MAX_DROP_REASONS) outcome.droppedReasons.push(decision.reason);
    this.options.onDropped?.(decision.dropped, decision.category, decision.reason);
  }
}

/**
 * One request's worth of points: its body text and how many points it holds, and those points one
 * by one — needed only to halve it. Either side is made from the other on demand, once.
 */
interface LineBody {
  count: number;
  text(): string;
  lines(): readonly string[];
}

function bodyOfLines(lines: readonly string[]): LineBody {
  let text: string | undefined;
  return { count: lines.length, text: () => (text ??= lines.join('\n')), lines: () => lines };
}

function bodyOfText(text: string, count: number): LineBody {
  let lines: readonly string[] | undefined;
  return { count, text: () => text, lines: () => (lines ??= text.split('\n')) };
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch {
    throwIfAborted(signal);
  }
}

/** Always an AbortError (name 'AbortError'), whatever reason abort() was given; the reason is its cause. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new DOMException('InfluxDB write aborted while retrying', { name: 'AbortError', cause: signal.reason });
}

function combineSignals(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}

/** A ResilientWriter over the configured InfluxDB (`AppConfig.influx` fits `PointWriterOptions`). */
export function createResilientWriter(
  influx: PointWriterOptions,
  options: ResilientWriterOptions = {},
): ResilientWriter {
  return new ResilientWriter(createPointWriter(influx), options);
}
