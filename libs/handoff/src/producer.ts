import type { RedisClient } from '@citypulse/redis';
import { handoffKeys } from './keys.js';
import { encodeEntries } from './entry.js';

export interface HandoffProducerOptions {
  prefix: string;
  /** Most readings in one stream entry. */
  maxEntryReadings: number;
  /** Above this backlog, `append` holds its promise until ingest catches up (back-pressure). */
  maxBacklogReadings: number;
  /** How often a held append re-reads the backlog. @defaultValue 100 */
  backlogPollMs?: number;
  onBacklog?: (readings: number) => void;
}

interface PendingAppend {
  /** One publish's accepted readings as line protocol, identity fixed. */
  lines: string[];
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Durable hand-off of accepted readings: `append` resolves only after the readings are in a
 * Redis stream, and the broker sends PUBACK only then. Appends made while one flush is being
 * scheduled are coalesced into one pipelined write (micro-batching), so the cost per reading
 * stays small at high publish rates.
 */
export class HandoffProducer {
  private readonly keys;
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private backlog = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: HandoffProducerOptions,
  ) {
    this.keys = handoffKeys(options.prefix);
  }

  /** The backlog as of the last flush. */
  get lastKnownBacklog(): number {
    return this.backlog;
  }

  /** Resolves once the lines are in the stream (and the backlog is under its limit). */
  append(lines: string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.pending.push({ lines, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate: let every packet parsed in this I/O turn join the same flush.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      const total = await this.write(batch);
      this.backlog = total;
      this.options.onBacklog?.(total);
      if (total > this.options.maxBacklogReadings) await this.waitForBacklogBelowLimit();
      for (const item of batch) item.resolve();
    } catch (err) {
      for (const item of batch) item.reject(err as Error);
    }
  }

  /** One MULTI: the entries and the backlog counter move together. Returns the new backlog. */
  private async write(batch: PendingAppend[]): Promise<number> {
    const multi = this.redis.multi();
    let count = 0;
    for (const entry of encodeEntries(batch.map((p) => p.lines), this.options.maxEntryReadings)) {
      multi.xadd(this.keys.stream, '*', 'n', entry.n, 'lp', entry.lp);
      count += entry.n;
    }
    multi.incrby(this.keys.backlog, count);
    const results = await multi.exec();
    if (!results) throw new Error('hand-off transaction aborted');
    for (const [err] of results) if (err) throw err;
    return Number(results[results.length - 1][1]);
  }

  private async waitForBacklogBelowLimit(): Promise<void> {
    const pollMs = this.options.backlogPollMs ?? 100;
    for (;;) {
      await new Promise((r) => setTimeout(r, pollMs));
      this.backlog = Number((await this.redis.get(this.keys.backlog)) ?? 0);
      this.options.onBacklog?.(this.backlog);
      if (this.backlog <= this.options.maxBacklogReadings) return;
    }
  }
}
