import { HandoffConsumer, linesOf, type HandoffConsumerOptions } from '../src/consumer.js';
import { PartitionLeases } from '../src/leases.js';
import type { RedisClient } from '@citypulse/redis';

/** What every reader in a test handed to "rules", in the order handed (one process: one shared log). */
export type FeedLog = Array<{ reader: string; device: string; t: number }>;

export interface ReaderOptions {
  prefix: string;
  partitions: number;
  leaseMs: number;
  tickMs?: number;
  consumer?: Partial<HandoffConsumerOptions>;
}

/**
 * An ingest process reduced to the hand-off: leases, one reader, and per batch "feed the rules"
 * (append to a shared log, in order) then acknowledge. `die()` drops its connections mid-batch:
 * the last batch it read is fed, never acknowledged, and its leases are left to expire.
 */
export class TestReader {
  readonly consumer: HandoffConsumer;
  readonly leases: PartitionLeases;
  acknowledged = 0;
  readIds = new Set<string>();
  unacknowledged: string[] = [];
  unacknowledgedReadings: Array<{ device: string; t: number }> = [];
  private stopped = false;
  private dying?: () => void;
  private loop?: Promise<void>;

  constructor(
    readonly name: string,
    private readonly connections: RedisClient[],
    options: ReaderOptions,
    private readonly feed: FeedLog,
  ) {
    const [reads, leaseConnection] = connections;
    this.consumer = new HandoffConsumer(reads, {
      prefix: options.prefix,
      partitions: options.partitions,
      consumerName: name,
      entriesPerRead: 20,
      onLost: (p) => this.leases.lost(p),
      ...options.consumer,
    });
    this.leases = new PartitionLeases(
      leaseConnection,
      {
        prefix: options.prefix,
        partitions: options.partitions,
        instanceId: name,
        leaseMs: options.leaseMs,
        tickMs: options.tickMs ?? 100,
      },
      {
        acquired: (p, token) => this.consumer.assign(p, token),
        revoked: (p) => this.consumer.revoke(p),
        drained: () => this.consumer.drained(),
        onError: () => undefined,
      },
    );
  }

  async start(): Promise<this> {
    await this.consumer.ensureGroups();
    await this.leases.start();
    this.loop = this.run();
    return this;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const batch = await this.consumer.next().catch(() => null);
      if (!batch) continue;
      const readings = linesOf(batch).map(readingOf);
      for (const { device, t } of readings) this.feed.push({ reader: this.name, device, t });
      batch.segments.forEach((s) => s.ids.forEach((id) => this.readIds.add(`${s.partition}/${id}`)));
      if (this.dying) {
        this.unacknowledged = batch.segments.flatMap((s) => s.ids.map((id) => `${s.partition}/${id}`));
        this.unacknowledgedReadings = readings;
        // Only so this object's own shutdown does not wait for it: the entries stay pending in Redis.
        this.consumer.done(batch);
        this.dying();
        return;
      }
      this.acknowledged += await this.consumer.ack(batch).catch(() => 0);
      this.consumer.done(batch);
    }
  }

  /** Crashes right after feeding its next batch (never acknowledged); resolves once it has. */
  async die(): Promise<void> {
    await new Promise<void>((resolve) => (this.dying = resolve));
    this.stopped = true;
    for (const c of this.connections) c.disconnect();
    // Stops its timer at once; the rest (releasing leases) fails on the closed connections, as for a dead process.
    void this.leases.stop().catch(() => undefined);
  }

  /** A clean shutdown: finish, acknowledge, give the leases up. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.leases.stop();
  }
}

/**
 * The device and epoch-ms time of one line the tests wrote (`m,device_id=…[,…] f=… <ns>`): the
 * hand-off is opaque to line protocol, so its tests read back only what they put in.
 */
function readingOf(line: string): { device: string; t: number } {
  const device = /[,]device_id=([^, ]+)/.exec(line)?.[1] ?? '';
  return { device, t: Number(line.slice(line.lastIndexOf(' ') + 1, -6)) };
}
