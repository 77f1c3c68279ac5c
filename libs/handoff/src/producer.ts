import { luaScript, type RedisClient } from '@citypulse/redis';
import { handoffKeys } from './keys.js';
import { encodeEntries, type Companion, type CompanionMerge, type HandoffPublish } from './entry.js';
import { partitionOf } from './partition.js';
import { BacklogEstimate } from './backlog.js';
import { APPEND_LUA } from './scripts.js';

export interface HandoffProducerOptions {
  prefix: string;
  /** Hand-off partitions (streams); a device's readings always go to the same one. */
  partitions: number;
  /** Most readings in one stream entry. */
  maxEntryReadings: number;
  /**
   * Above this backlog (all partitions together), `append` holds its promise until ingest catches up (back-pressure).
   */
  maxBacklogReadings: number;
  /** How often a held append re-reads the backlog. @defaultValue 100 */
  backlogPollMs?: number;
  /** How often the counters of every partition are re-read to catch other brokers' appends. @defaultValue 1000 */
  backlogRefreshMs?: number;
  onBacklog?: (readings: number) => void;
  /**
   * Runs after each write with the key written, before the write's appends resolve; a throw fails
   * them (no PUBACK). The `replica` durability level waits for replicas here (`replicaWait`).
   */
  confirmWrite?: (key: string) => Promise<void>;
  /**
   * Merges companion texts that land side by side in an entry (the broker: one device's rule feeds,
   * so their head is written once). Without it each publish keeps its own text.
   */
  mergeCompanions?: CompanionMerge;
}

interface PendingAppend extends HandoffPublish {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Durable hand-off of accepted readings: `append` resolves only after the readings are in their
 * partition's Redis stream, and the broker sends PUBACK only then. Appends made while one flush
 * is being scheduled are coalesced (micro-batching): on a single Redis one transaction (MULTI …
 * EXEC) adds every partition's entries and counts them; on a Redis Cluster one script call per
 * partition touched (the slot of its keys), the calls of one flush going out together (ioredis
 * auto-pipelining, per node). A transaction on a single Redis, not the script: a script's
 * arguments are copied into Lua strings and out again, which cost Redis about ten times the XADDs
 * themselves in ten-reading batches (256 µs a call where its XADDs took 28), and one transaction
 * per flush costs the broker no more than the one script call did. On a cluster a transaction per
 * partition would cost the broker more than the script saves Redis (APPEND_LUA).
 */
export class HandoffProducer {
  private readonly keys;
  private pending = new Map<number, PendingAppend[]>();
  private flushScheduled = false;
  private readonly appendScript;
  private readonly backlog: BacklogEstimate;
  private refreshing?: Promise<void>;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: HandoffProducerOptions,
  ) {
    this.keys = Array.from({ length: options.partitions }, (_, p) => handoffKeys(options.prefix, p));
    this.appendScript = luaScript(redis, 'cpHandoffAppend', APPEND_LUA);
    this.backlog = new BacklogEstimate(options.partitions, options.backlogRefreshMs ?? 1000);
  }

  /** The backlog (all partitions) as of the last flush. */
  get lastKnownBacklog(): number {
    return this.backlog.total;
  }

  /**
   * Resolves once the lines (and their `companion` text, if given) are in the device's partition,
   * and the backlog is under its limit.
   */
  append(deviceId: string, lines: readonly string[], companion?: Companion): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    const partition = partitionOf(deviceId, this.options.partitions);
    return new Promise((resolve, reject) => {
      const item: PendingAppend = { lines, companion, resolve, reject };
      const queued = this.pending.get(partition);
      if (queued) queued.push(item);
      else this.pending.set(partition, [item]);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate: let every packet parsed in this I/O turn join the same flush.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const shares = [...this.pending];
    this.pending = new Map();
    // On a cluster, one call per partition: a node that fails fails only the appends it holds.
    const calls = this.redis.isCluster ? shares.map((share) => [share]) : [shares];
    const written: PendingAppend[] = [];
    await Promise.all(
      calls.map(async (call) => {
        const items = call.flatMap(([, partitionItems]) => partitionItems);
        try {
          await this.write(call);
          written.push(...items);
        } catch (err) {
          for (const item of items) item.reject(err as Error);
        }
      }),
    );
    if (written.length === 0) return;
    try {
      if (this.backlog.isStale(Date.now())) void this.refreshBacklog().catch(() => undefined);
      this.options.onBacklog?.(this.backlog.total);
      if (this.backlog.total > this.options.maxBacklogReadings) await this.waitForBacklogBelowLimit();
      for (const item of written) item.resolve();
    } catch (err) {
      for (const item of written) item.reject(err as Error);
    }
  }

  /** Partitions' shares of a flush, written together; notes each partition's new backlog. */
  private async write(shares: ReadonlyArray<[partition: number, items: PendingAppend[]]>): Promise<void> {
    const backlogs = this.redis.isCluster ? await this.writeByScript(shares) : await this.writeInTransaction(shares);
    shares.forEach(([partition], i) => this.backlog.update(partition, backlogs[i]));
    // On a single Redis any of the keys names the one connection; on a cluster, the call's node.
    await this.options.confirmWrite?.(this.keys[shares[0][0]].stream);
  }

  /** One MULTI … EXEC: the entries and their backlog counts land together or not at all. */
  private async writeInTransaction(shares: ReadonlyArray<[number, PendingAppend[]]>): Promise<number[]> {
    const transaction = this.redis.multi();
    // Where each partition's INCRBY reply will be: after its XADDs.
    const backlogReplies: number[] = [];
    let commands = 0;
    for (const [partition, items] of shares) {
      const { stream, backlog } = this.keys[partition];
      let readings = 0;
      for (const entry of encodeEntries(items, this.options.maxEntryReadings, this.options.mergeCompanions)) {
        if (entry.companion === undefined) transaction.xadd(stream, '*', 'n', entry.n, 'lp', entry.lp);
        else transaction.xadd(stream, '*', 'n', entry.n, 'lp', entry.lp, 'companion', entry.companion);
        readings += entry.n;
        commands++;
      }
      transaction.incrby(backlog, readings);
      backlogReplies.push(commands++);
    }
    const replies = await transaction.exec();
    if (!replies) throw new Error('hand-off append: transaction discarded');
    // A command failing inside EXEC does not undo the others: any failure fails the whole write
    // (no PUBACK; entries that did land are read once more on the resend, identity fixed).
    const failed = replies.find(([err]) => err)?.[0];
    if (failed) throw failed;
    return backlogReplies.map((i) => Number(replies[i][1]));
  }

  private async writeByScript(shares: ReadonlyArray<[number, PendingAppend[]]>): Promise<number[]> {
    const keys: string[] = [];
    const args: Array<string | number> = [];
    for (const [partition, items] of shares) {
      keys.push(this.keys[partition].stream, this.keys[partition].backlog);
      const entries = encodeEntries(items, this.options.maxEntryReadings, this.options.mergeCompanions);
      args.push(entries.length);
      // An empty companion stands for none (the script then writes no companion field).
      for (const entry of entries) args.push(entry.n, entry.lp, entry.companion ?? '');
    }
    return ((await this.appendScript(keys, args)) as number[]).map(Number);
  }

  /** Re-reads every partition's counter (one GET each, pipelined per node); one refresh at a time. */
  private refreshBacklog(): Promise<void> {
    this.refreshing ??= Promise.all(this.keys.map((k) => this.redis.get(k.backlog)))
      .then((values) =>
        this.backlog.replaceAll(
          values.map((v) => Number(v ?? 0)),
          Date.now(),
        ),
      )
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Holds until the backlog, freshly read (the estimate may be stale high), is under the limit. */
  private async waitForBacklogBelowLimit(): Promise<void> {
    const pollMs = this.options.backlogPollMs ?? 100;
    for (let first = true; ; first = false) {
      if (!first) await new Promise((r) => setTimeout(r, pollMs));
      // A refresh already under way may have read the counters before this write landed: wait it
      // out and read again, or a held append could be let go on counts that miss its own readings.
      await this.refreshing?.catch(() => undefined);
      await this.refreshBacklog();
      this.options.onBacklog?.(this.backlog.total);
      if (this.backlog.total <= this.options.maxBacklogReadings) return;
    }
  }
}
