import { luaScript, type RedisClient } from '@citypulse/redis';
import { handoffKeys, INGEST_GROUP } from './keys.js';
import { scaledToShare } from './linger.js';
import { ACK_LUA, CLAIM_LUA, LOST, READ_NEW_LUA } from './scripts.js';

/** The entries of one partition in a batch, in stream order, with the lease they were read under. */
export interface HandoffSegment {
  partition: number;
  token: string;
  /** Stream entry ids, for `ack`. */
  ids: string[];
  /** Readings per entry, so `ack` takes exactly the acknowledged ones off the backlog. */
  counts: number[];
}

export interface HandoffBatch {
  segments: HandoffSegment[];
  /** The entries read, each partition's in stream order (entries without lines left out). */
  entries: HandoffEntryContent[];
  /** Lines (readings) in all the entries. */
  lineCount: number;
}

/** One read round of a batch: its entries, as in the batch. */
export type HandoffRound = Pick<HandoffBatch, 'entries' | 'lineCount'>;

/** What one stream entry holds. */
export interface HandoffEntryContent {
  /**
   * The entry's line protocol as the producer wrote it: its lines, `\n`-separated. Opaque here, and
   * passed on as it is (joined with the next entry's by a `\n`, it is a valid write body).
   */
  lp: string;
  /** How many lines `lp` holds. */
  lines: number;
  /**
   * The companion texts appended with those lines, in order (one per publish or part of one split at
   * the entry size limit, or per run the producer merged: `CompanionMerge`); undefined for an entry
   * written without any (e.g. by an older broker).
   */
  companions?: string[];
}

export interface HandoffConsumerOptions {
  prefix: string;
  partitions: number;
  /** This process's consumer name (its instance id): a restarted process resumes under it. */
  consumerName: string;
  /** Entries per read round, spread over the partitions held. @defaultValue 50 */
  entriesPerRead?: number;
  /**
   * The longest pause between read rounds while every partition is empty (it doubles up to this
   * from 2 ms); the linger after it is shortened by the pause. @defaultValue 100
   */
  idlePollMs?: number;
  /** Entries pending this long in a partition held here (a failed batch) are read again. @defaultValue 30000 */
  retryIdleMs?: number;
  /** How often to look for such entries. @defaultValue 5000 */
  retryIntervalMs?: number;
  /**
   * Keep reading new entries for up to `lingerMs` until the batch has `targetLines` lines: a few
   * large InfluxDB writes cost far less (here and in InfluxDB) than many small ones.
   * @defaultValue 0 (no linger)
   */
  targetLines?: number;
  /** @defaultValue 0 */
  lingerMs?: number;
  /**
   * The linger and the idle pause above are those of a process holding every partition. One holding
   * a share 1/s of them sees about 1/s of the readings, so it lingers and pauses s times as long, up
   * to this: its batches stay as large, and the processes together make as many InfluxDB writes,
   * rule jobs and read rounds per second, however many share the partitions. Without it the cost
   * per reading grew with the number of processes (half-size batches: twice the per-batch work).
   * @defaultValue `lingerMs` (no scaling)
   */
  maxLingerMs?: number;
  /** Told when a script finds this process no longer holds a partition's lease. */
  onLost?: (partition: number) => void;
  /**
   * Told, before they are handed out, that entries of a partition are being read again: pending
   * entries of a take-over, or of a batch that failed (or is still being written) here. Whatever
   * counts the readings it stores must not count these twice.
   */
  onRedelivered?: (partition: number) => void;
}

type StreamEntries = Array<[id: string, fields: string[] | null]>;

/** One partition's share of a read round. */
type ReadSegment = HandoffSegment & Pick<HandoffBatch, 'entries' | 'lineCount'>;

interface Held {
  token: string;
  /** Taking a partition over: the XAUTOCLAIM cursor through what earlier owners left pending, until done. */
  claimCursor: string | null;
  lastRetryAt: number;
}

/**
 * Reads the partitions this process holds a lease on (`assign`), each through the consumer group,
 * all in one read round (one watched transaction for all of them on a single Redis; on a Redis
 * Cluster one script call per partition, pipelined per node: no call there may span slots). A
 * partition taken over hands out what its earlier owners left pending before anything new, so a
 * device's readings are read in stream order across a hand-over. Every read and acknowledgement is
 * fenced by the lease token: a process that lost a lease cannot read or acknowledge that
 * partition's entries any more.
 *
 * Entries stay pending until `ack`; because point identity was fixed by the broker, a redo is harmless.
 * The connection is the consumer's own: its reads WATCH the leases, and a transaction run by
 * anything else on it would end the watch.
 */
export class HandoffConsumer {
  private readonly keys;
  private readonly held = new Map<number, Held>();
  /** Batches handed out and not yet `done`, by their segments, with what settles them. */
  private readonly outstanding = new Map<HandoffSegment[], { settled: Promise<void>; settle: () => void }>();
  private reading?: Promise<unknown>;
  private idleMs = 0;
  /** Readings per entry in the last round that read any: what an entry weighs, to size the next read. */
  private readingsPerEntry = 0;
  private readonly readNew;
  private readonly claim;
  private readonly ackScript;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: HandoffConsumerOptions,
  ) {
    this.keys = Array.from({ length: options.partitions }, (_, p) => handoffKeys(options.prefix, p));
    this.readNew = luaScript(redis, 'cpHandoffReadNew', READ_NEW_LUA);
    this.claim = luaScript(redis, 'cpHandoffClaim', CLAIM_LUA);
    this.ackScript = luaScript(redis, 'cpHandoffAck', ACK_LUA);
  }

  /**
   * Creates every partition's consumer group (from the start of the stream, so nothing appended earlier is skipped).
   */
  async ensureGroups(): Promise<void> {
    await Promise.all(
      this.keys.map(({ stream }) =>
        this.redis.xgroup('CREATE', stream, INGEST_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
          if (!String(err.message).includes('BUSYGROUP')) throw err;
        }),
      ),
    );
  }

  /** From now on this process reads `partition`, starting with what its earlier owners left pending. */
  assign(partition: number, token: string): void {
    this.held.set(partition, { token, claimCursor: '0-0', lastRetryAt: Date.now() });
  }

  /** Stops reading `partition` (lost, or to be released once `drained`). */
  revoke(partition: number): void {
    this.held.delete(partition);
  }

  get partitionsHeld(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Resolves once the read under way and every batch handed out so far are settled (`done`). */
  async drained(): Promise<void> {
    await this.reading?.catch(() => undefined);
    await Promise.all([...this.outstanding.values()].map((o) => o.settled));
  }

  /**
   * The next batch from the partitions held, or null after an idle pause when there is nothing.
   * `onRound` is told of each read round of the batch as it is read, before the linger goes on
   * (what needs the readings soon takes them from there; what wants them in bulk takes the batch).
   */
  async next(onRound?: (round: HandoffRound) => void): Promise<HandoffBatch | null> {
    const reading = this.readBatch(onRound).catch(async (err: Error) => {
      // A stream and its group gone (a Redis without persistence restarted): make them again, then fail this read.
      if (String(err.message).includes('NOGROUP')) await this.ensureGroups();
      throw err;
    });
    this.reading = reading;
    const batch = await reading;
    if (!batch) return null;
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.outstanding.set(batch.segments, { settled, settle });
    return batch;
  }

  /** Marks a batch handed out by `next` as finished with (acknowledged, or failed and left pending). */
  done(batch: HandoffBatch): void {
    this.outstanding.get(batch.segments)?.settle();
    this.outstanding.delete(batch.segments);
  }

  /**
   * Acknowledges a batch, partition by partition; a partition whose lease was lost is left pending
   * for its new owner. Returns the readings acknowledged (entries acknowledged before, e.g. by a
   * new owner that redid them, not counted again).
   */
  async ack(batch: HandoffBatch): Promise<number> {
    const acknowledged = await Promise.all(
      batch.segments.map(async ({ partition, token, ids, counts }) => {
        if (ids.length === 0) return 0;
        const args: Array<string | number> = [token, INGEST_GROUP];
        ids.forEach((id, i) => args.push(id, counts[i]));
        const { stream, backlog, lease } = this.keys[partition];
        const reply = await this.ackScript([stream, backlog, lease], args);
        if (reply !== LOST) return Number(reply);
        this.lost(partition, token);
        return 0;
      }),
    );
    return acknowledged.reduce((a, b) => a + b, 0);
  }

  private async readBatch(onRound?: (round: HandoffRound) => void): Promise<HandoffBatch | null> {
    let round = await this.readRound();
    if (round.lineCount === 0 && round.segments.every((s) => s.ids.length === 0)) {
      this.idleMs = Math.min(Math.max(2, this.idleMs * 2), this.scaledToShare(this.options.idlePollMs ?? 100));
      await sleep(this.idleMs);
      return null;
    }
    // What came after an idle pause may have waited that long already: linger only the rest, so a
    // long idle pause (cheap at rest) does not add to the worst-case delay of the first readings.
    const waitedMs = this.idleMs;
    this.idleMs = 0;
    if (round.entries.length > 0) onRound?.(round);
    const { targetLines = 0 } = this.options;
    const deadline = Date.now() + Math.max(0, this.scaledToShare(this.options.lingerMs ?? 0) - waitedMs);
    let batch: HandoffBatch = round;
    // While lingering, a round that left entries behind is followed at once; else the pause before
    // the next doubles (5, 10, 20… ms): a few rounds per batch instead of one every 5 ms, whose
    // cost was paid per process and per second, not per reading (two ingest processes polled twice
    // as often for the same readings). On a single Redis a round is one call, and the pause stops
    // doubling at LINGER_MAX_PAUSE_MS: a reading waits at most that long for the round that hands
    // it to rules (onRound), where the doubling let it wait 80 ms in a 200 ms linger.
    const maxPauseMs = this.redis.isCluster ? Infinity : LINGER_MAX_PAUSE_MS;
    let pauseMs = LINGER_FIRST_PAUSE_MS;
    while (batch.lineCount < targetLines) {
      if (!round.more) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        await sleep(Math.min(pauseMs, left));
        pauseMs = Math.min(pauseMs * 2, maxPauseMs);
      }
      round = await this.readRound();
      if (round.entries.length > 0) onRound?.(round);
      batch = merge(batch, round);
    }
    return { segments: batch.segments, entries: batch.entries, lineCount: batch.lineCount };
  }

  private scaledToShare(ms: number): number {
    return scaledToShare(ms, {
      partitions: this.options.partitions,
      held: this.held.size,
      maxMs: this.options.maxLingerMs ?? this.options.lingerMs ?? 0,
    });
  }

  /**
   * One read of every partition held, all at once: pending entries of a take-over (or a due retry)
   * partition by partition, new entries of the rest in one call on a single Redis (one per
   * partition on a cluster, their keys' slots). `more`: some partition may hold more than this
   * round took (a full read, or a take-over under way).
   */
  private async readRound(): Promise<HandoffBatch & { more: boolean }> {
    const held = [...this.held];
    const count = this.entriesPerPartition(held.length);
    const now = Date.now();
    const claiming = held.filter(([, state]) => this.claimDue(state, now));
    const reading = held.filter(([, state]) => !this.claimDue(state, now));
    const readCalls = this.redis.isCluster ? reading.map((one) => [one]) : reading.length > 0 ? [reading] : [];
    const segments = (
      await Promise.all([
        ...claiming.map(async ([partition, state]) => [await this.claimPartition(partition, state, count, now)]),
        ...readCalls.map((partitions) => this.readNewEntries(partitions, count)),
      ])
    ).flat();
    const entries: HandoffEntryContent[] = [];
    const kept: HandoffSegment[] = [];
    let lineCount = 0;
    let more = false;
    for (const segment of segments) {
      if (!segment || segment.ids.length === 0) continue;
      if (segment.ids.length >= count) more = true;
      lineCount += segment.lineCount;
      for (const entry of segment.entries) entries.push(entry);
      kept.push({ partition: segment.partition, token: segment.token, ids: segment.ids, counts: segment.counts });
    }
    if (held.some(([partition]) => this.held.get(partition)?.claimCursor != null)) more = true;
    const entriesRead = kept.reduce((n, segment) => n + segment.ids.length, 0);
    if (entriesRead > 0) this.readingsPerEntry = lineCount / entriesRead;
    return { segments: kept, entries, lineCount, more };
  }

  /**
   * Entries to take from each partition in one round: `entriesPerRead` over the partitions held, and
   * no more than the batch's target lines at the entry size last seen. Redis builds a round's reply
   * while every other command waits — the broker's appends, rule jobs — and entries grow with the
   * load (a flush's readings per partition): 200 entries of ~75 readings made replies of ~5 MB and
   * calls of 20 ms and more (139 ms seen) in ten-reading batches. A larger backlog is then read in
   * more rounds, one after another (`more`), each short. Until an entry has been seen, one each.
   */
  private entriesPerPartition(partitions: number): number {
    const spread = Math.max(1, partitions);
    const byEntries = Math.ceil((this.options.entriesPerRead ?? 50) / spread);
    const targetLines = this.options.targetLines ?? 0;
    if (targetLines <= 0) return Math.max(1, byEntries);
    // Nothing read yet (a start, perhaps over a backlog of large entries): one entry each to learn their size.
    if (this.readingsPerEntry <= 0) return 1;
    const byLines = Math.ceil(targetLines / (this.readingsPerEntry * spread));
    return Math.max(1, Math.min(byEntries, byLines));
  }

  /** A take-over still claiming what earlier owners left, or a look for long-failed entries due. */
  private claimDue(state: Held, now: number): boolean {
    return state.claimCursor !== null || now - state.lastRetryAt >= (this.options.retryIntervalMs ?? 5000);
  }

  private async claimPartition(
    partition: number,
    state: Held,
    count: number,
    now: number,
  ): Promise<ReadSegment | null> {
    const { stream, lease } = this.keys[partition];
    const { token } = state;
    // A take-over claims everything pending (min idle 0); a retry only what failed long ago.
    const taking = state.claimCursor !== null;
    const minIdle = taking ? 0 : (this.options.retryIdleMs ?? 30_000);
    const reply = await this.claim(
      [stream, lease],
      [token, INGEST_GROUP, this.options.consumerName, minIdle, state.claimCursor ?? '0-0', count],
    );
    if (reply === LOST) return this.lost(partition, token);
    const [cursor, claimed] = reply as [string, StreamEntries];
    if (claimed.length > 0) this.options.onRedelivered?.(partition);
    if (taking) state.claimCursor = cursor === '0-0' ? null : cursor;
    // A retry that found something looks again next round; else after the interval.
    if (!taking) state.lastRetryAt = claimed.length > 0 ? 0 : now;
    return { partition, token, ...toSegment(claimed) };
  }

  /** New entries of these partitions: a watched read on a single Redis, a script call on a cluster (one partition). */
  private async readNewEntries(partitions: Array<[number, Held]>, count: number): Promise<Array<ReadSegment | null>> {
    if (!this.redis.isCluster) return this.readNewWatched(partitions, count);
    const keys: string[] = [];
    const args: Array<string | number> = [INGEST_GROUP, this.options.consumerName, count];
    for (const [partition, { token }] of partitions) {
      keys.push(this.keys[partition].stream, this.keys[partition].lease);
      args.push(token);
    }
    const replies = (await this.readNew(keys, args)) as Array<StreamEntries | typeof LOST>;
    return partitions.map(([partition, { token }], i) => {
      const reply = replies[i];
      return reply === LOST ? this.lost(partition, token) : { partition, token, ...toSegment(reply) };
    });
  }

  /**
   * The same fence without a script, on a single Redis: WATCH the leases, check they are still
   * ours, then XREADGROUP every stream in MULTI … EXEC, which Redis refuses if any lease changed
   * after the WATCH (taken over, or renewed: then this round reads nothing, the next one again).
   * Why not the script: a script's reply passes through Lua — every entry copied into a Lua string
   * and back — and that cost Redis ten times the read itself (2.3 ms a call for 16 partitions in
   * ten-reading batches, a third of all its command time), while every broker append waited.
   * Two round trips instead of one; this connection runs no other transaction (an EXEC anywhere
   * on it would drop the watch).
   */
  private async readNewWatched(partitions: Array<[number, Held]>, count: number): Promise<Array<ReadSegment | null>> {
    const leases = partitions.map(([partition]) => this.keys[partition].lease);
    const [, holders] = await Promise.all([this.redis.watch(...leases), this.redis.mget(...leases)]);
    const mine = partitions.filter(([, { token }], i) => holders[i] === token);
    const segments = new Map<number, ReadSegment | null>();
    partitions.forEach(([partition, { token }], i) => {
      if (holders[i] !== token) segments.set(partition, this.lost(partition, token));
    });
    if (mine.length === 0) {
      await this.redis.unwatch();
      return [...segments.values()];
    }
    const streams = mine.map(([partition]) => this.keys[partition].stream);
    const replies = await this.redis
      .multi()
      .xreadgroup(
        'GROUP',
        INGEST_GROUP,
        this.options.consumerName,
        'COUNT',
        count,
        'STREAMS',
        ...streams,
        ...streams.map(() => '>'),
      )
      .exec();
    // null: a lease changed since the WATCH; nothing was read.
    const [err, read] = replies?.[0] ?? [null, null];
    if (err) throw err;
    const byStream = new Map(
      ((read as Array<[string, StreamEntries]> | null) ?? []).map(([stream, entries]) => [stream, entries]),
    );
    mine.forEach(([partition, { token }], i) => {
      segments.set(partition, { partition, token, ...toSegment(replies ? (byStream.get(streams[i]) ?? []) : []) });
    });
    return [...segments.values()];
  }

  private lost(partition: number, token: string): null {
    // Only if still held under that token: a lease lost and taken back since is a new holding.
    if (this.held.get(partition)?.token === token) {
      this.held.delete(partition);
      this.options.onLost?.(partition);
    }
    return null;
  }
}

function toSegment(
  stream: StreamEntries,
): Pick<HandoffSegment, 'ids' | 'counts'> & Pick<HandoffBatch, 'entries' | 'lineCount'> {
  const ids: string[] = [];
  const counts: number[] = [];
  const entries: HandoffEntryContent[] = [];
  let lineCount = 0;
  for (const [id, fields] of stream) {
    ids.push(id);
    // Entries deleted while pending may come back without fields: acknowledge them, nothing to write.
    const entry = fields ? fieldsOf(fields) : undefined;
    if (!entry?.lp) {
      counts.push(0);
      continue;
    }
    const lines = linesIn(entry.lp, entry.n);
    counts.push(lines);
    lineCount += lines;
    entries.push({ lp: entry.lp, lines, companions: entry.companion?.split('\n') });
  }
  return { ids, counts, entries, lineCount };
}

/**
 * The lines an entry's text holds: the count the producer wrote beside it (`n`), or, should it be
 * missing or not a count, the text's lines counted. Only the counts depend on it (metrics, batch
 * sizes, the backlog): the text is written whole either way.
 */
function linesIn(lp: string, n: string | undefined): number {
  const stated = Number(n);
  if (Number.isInteger(stated) && stated > 0) return stated;
  let lines = 1;
  for (let i = lp.indexOf('\n'); i >= 0; i = lp.indexOf('\n', i + 1)) lines++;
  return lines;
}

/** A batch's lines one by one, in order (tests and tools: ingest writes the entries' texts whole). */
export function linesOf(batch: Pick<HandoffBatch, 'entries'>): string[] {
  return batch.entries.flatMap((entry) => entry.lp.split('\n'));
}

/** `b` read after `a`: each partition's entries stay in stream order. */
function merge(a: HandoffBatch, b: HandoffBatch): HandoffBatch {
  if (b.segments.length === 0) return a;
  const segments = a.segments.map((s) => ({ ...s, ids: [...s.ids], counts: [...s.counts] }));
  for (const s of b.segments) {
    const same = segments.find((x) => x.partition === s.partition && x.token === s.token);
    if (same) {
      same.ids.push(...s.ids);
      same.counts.push(...s.counts);
    } else segments.push(s);
  }
  return { segments, entries: a.entries.concat(b.entries), lineCount: a.lineCount + b.lineCount };
}

function fieldsOf(flat: string[]): Partial<Record<string, string>> {
  const fields: Partial<Record<string, string>> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

/** The first pause of a linger; it doubles after each round that found the partitions caught up. */
const LINGER_FIRST_PAUSE_MS = 5;
/** The longest pause of a linger on a single Redis, where a read round is one call. */
const LINGER_MAX_PAUSE_MS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
