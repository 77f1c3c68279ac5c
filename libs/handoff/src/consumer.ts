import type { RedisClient } from '@citypulse/redis';
import type { DeviceReadings } from '@citypulse/contracts';
import { handoffKeys, INGEST_GROUP } from './keys.js';
import { rulesFeed } from './entry.js';

export interface HandoffBatch {
  /** Stream entry ids, for `ack`. */
  ids: string[];
  /** Readings per entry, so `ack` takes exactly the acknowledged ones off the backlog. */
  counts: number[];
  /** Line protocol, one line per reading, in stream order. */
  lines: string[];
  /** The same readings for rule evaluation, one group per device (read back from the lines). */
  devices: DeviceReadings[];
}

/**
 * XACK + XDEL, and the backlog lowered only by entries this call really acknowledged: an entry
 * written twice (claimed from a slow consumer) must not be subtracted twice.
 */
const ACK_SCRIPT = `
local acknowledged = 0
for i = 2, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then acknowledged = acknowledged + tonumber(ARGV[i + 1]) end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
if acknowledged > 0 then redis.call('DECRBY', KEYS[2], acknowledged) end
return acknowledged`;

export interface HandoffConsumerOptions {
  prefix: string;
  /** Unique per consumer loop; a restarted process may reuse its name to resume its own pending entries. */
  consumerName: string;
  /** Entries per read. @defaultValue 50 */
  entriesPerRead?: number;
  /** How long one blocking read waits for new entries. @defaultValue 1000 */
  blockMs?: number;
  /** Entries pending this long at another consumer are taken over (it is presumed dead). @defaultValue 30000 */
  claimIdleMs?: number;
  /** How often to look for such entries. @defaultValue 5000 */
  claimIntervalMs?: number;
  /**
   * Keep reading new entries for up to `lingerMs` until the batch has `targetLines` lines: a few
   * large InfluxDB writes cost far less (here and in InfluxDB) than many small ones.
   * @defaultValue 0 (no linger)
   */
  targetLines?: number;
  /** @defaultValue 0 */
  lingerMs?: number;
  /**
   * A second connection for `ack`, for callers that acknowledge while the next read blocks
   * (a blocked XREADGROUP holds its connection). @defaultValue the reading connection
   */
  ackConnection?: RedisClient;
}

type RawBatch = Omit<HandoffBatch, 'devices'>;
type StreamEntries = Array<[id: string, fields: string[]]>;

/**
 * Reads the hand-off stream through a consumer group. Entries stay pending until `ack`, so a
 * consumer that dies mid-write leaves them for another to claim: nothing is lost, and because
 * point identity was fixed by the broker, writing them twice is harmless.
 *
 * Needs its own Redis connection: XREADGROUP BLOCK holds the connection while it waits.
 */
export class HandoffConsumer {
  private readonly keys;
  private lastClaimAt = 0;
  private ownPendingDone = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: HandoffConsumerOptions,
  ) {
    this.keys = handoffKeys(options.prefix);
  }

  /** Creates the consumer group (from the start of the stream, so nothing appended earlier is skipped). */
  async ensureGroup(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.stream, INGEST_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
    }
  }

  /** The next batch: first this consumer's own unacknowledged entries, then abandoned ones, then new ones. */
  async next(): Promise<HandoffBatch | null> {
    if (!this.ownPendingDone) {
      const own = await this.read('0', false);
      if (own && own.ids.length > 0) return withRulesFeed(own);
      this.ownPendingDone = true;
    }
    const claimed = await this.claimAbandoned();
    if (claimed) return withRulesFeed(claimed);
    const fresh = await this.read('>', true);
    return fresh && withRulesFeed(await this.linger(fresh));
  }

  private async linger(batch: RawBatch): Promise<RawBatch> {
    const { targetLines = 0, lingerMs = 0 } = this.options;
    const deadline = Date.now() + lingerMs;
    while (batch.lines.length < targetLines && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(5, deadline - Date.now())));
      const more = await this.read('>', false);
      if (more && more.ids.length > 0) batch = concatBatches(batch, more);
    }
    return batch;
  }

  async ack(batch: HandoffBatch): Promise<void> {
    if (batch.ids.length === 0) return;
    const args: Array<string | number> = [INGEST_GROUP];
    batch.ids.forEach((id, i) => args.push(id, batch.counts[i]));
    await (this.options.ackConnection ?? this.redis).eval(ACK_SCRIPT, 2, this.keys.stream, this.keys.backlog, ...args);
  }

  private async read(id: '0' | '>', block: boolean): Promise<RawBatch | null> {
    const count = this.options.entriesPerRead ?? 50;
    const group = ['GROUP', INGEST_GROUP, this.options.consumerName, 'COUNT', count] as const;
    const reply = (
      block
        ? await this.redis.xreadgroup(...group, 'BLOCK', this.options.blockMs ?? 1000, 'STREAMS', this.keys.stream, id)
        : await this.redis.xreadgroup(...group, 'STREAMS', this.keys.stream, id)
    ) as Array<[string, StreamEntries]> | null;
    if (!reply || reply.length === 0) return null;
    return toBatch(reply[0][1]);
  }

  private async claimAbandoned(): Promise<RawBatch | null> {
    const now = Date.now();
    if (now - this.lastClaimAt < (this.options.claimIntervalMs ?? 5000)) return null;
    this.lastClaimAt = now;
    const reply = (await this.redis.xautoclaim(
      this.keys.stream,
      INGEST_GROUP,
      this.options.consumerName,
      this.options.claimIdleMs ?? 30_000,
      '0-0',
      'COUNT',
      this.options.entriesPerRead ?? 50,
    )) as [string, StreamEntries, string[]?];
    const batch = toBatch(reply[1]);
    if (batch.ids.length === 0) return null;
    // More may be waiting: look again on the next call rather than after the interval.
    this.lastClaimAt = 0;
    return batch;
  }
}

function toBatch(entries: StreamEntries): RawBatch {
  const ids: string[] = [];
  const counts: number[] = [];
  const lines: string[] = [];
  for (const [id, fields] of entries) {
    ids.push(id);
    // Entries deleted while pending come back with null fields: acknowledge them, nothing to write.
    const entry = fields ? fieldsOf(fields) : undefined;
    if (!entry?.lp) {
      counts.push(0);
      continue;
    }
    counts.push(Number(entry.n));
    for (const line of entry.lp.split('\n')) lines.push(line);
  }
  return { ids, counts, lines };
}

function concatBatches(a: RawBatch, b: RawBatch): RawBatch {
  return { ids: [...a.ids, ...b.ids], counts: [...a.counts, ...b.counts], lines: a.lines.concat(b.lines) };
}

/** The rule feed is derived once per batch handed out, not per read. */
function withRulesFeed(batch: RawBatch): HandoffBatch {
  return { ...batch, devices: rulesFeed(batch.lines) };
}

function fieldsOf(flat: string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}
