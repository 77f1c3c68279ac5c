import pLimit from 'p-limit';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { RedisClient } from '@citypulse/redis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import { RuleFeedDecoder, type FeedDevice } from '@citypulse/contracts';
import { HandoffConsumer, PartitionLeases, type HandoffBatch } from '@citypulse/handoff';
import { Metrics, type Logger } from '@citypulse/observability';
import type { ResilientWriter } from '@citypulse/storage';
import { OrderedPipeline } from './ordered-pipeline.js';
import { RuleFeed } from './rule-feed.js';
import { batchRuleFeed } from './batch-rule-feed.js';
import { RuleFeedWindow } from './rule-feed-window.js';
import { writeBodies } from './write-bodies.js';
import { INFLUX_WRITER } from './tokens.js';
import { LateRollups } from './retention/late-rollups.service.js';
import { IngestedMinutes } from './retention/ingested-minutes.service.js';

/**
 * Batches read beyond the InfluxDB writes in flight. Rules get readings as they are read, but a
 * reader that waits for a write slot reads nothing: when InfluxDB stalls for a moment (a cache
 * snapshot took 0.2–0.5 s at 38k readings/s) alerts stalled with it — publish → alert p99 above
 * 250 ms in 3 of 12 runs at half rate, 0 of 8 with these (README). Bounded: a batch is at most
 * CP_INGEST_MAX_BATCH_LINES lines, and during a longer outage reading stops after these too.
 */
const READ_AHEAD_BATCHES = 6;

/**
 * Moves readings from the hand-off into InfluxDB and on to rule evaluation. The hand-off is split
 * into partitions (a device always in the same one); this process reads those it holds a lease on
 * (PartitionLeases: a fair share of them, moving as ingest processes join, leave or die), with one
 * reader. Up to CP_INGEST_CONCURRENCY batches are written at once, but each batch is passed to rule
 * evaluation only after the one read before it — and a partition is read by one process at a time,
 * its earlier owner's pending entries first — so a device's readings reach the rules in order with
 * any number of ingest processes. Rules are fed the read rounds within CP_INGEST_RULE_FEED_MS, without
 * waiting for the linger that fills a write or for the write itself (alert latency includes neither); a
 * batch is acknowledged once both are done, so a worker killed at any step leaves its entries
 * pending for the partition's next owner, and the identity fixed by the broker makes the redo
 * harmless (rules ignore a reading they have seen).
 */
@Injectable()
export class IngestWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stop = new AbortController();
  private readonly connections: RedisClient[] = [];
  private loop?: Promise<void>;
  /** The last round's rule-feed enqueue, settled either way: the next one starts after it. */
  private rulesFed: Promise<unknown> = Promise.resolve();
  private ruleFeed?: RuleFeed;
  private leases?: PartitionLeases;
  private logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(INFLUX_WRITER) private readonly writer: ResilientWriter,
    private readonly metrics: Metrics,
    private readonly lateRollups: LateRollups,
    private readonly ingestedMinutes: IngestedMinutes,
  ) {
    this.logger = logger.child({ component: 'ingest' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config } = this;
    this.ruleFeed = new RuleFeed(config);
    // Two connections: leases are renewed on their own, never queued behind a large read.
    const reads = connectRedis(config, 'ingest-read');
    const leaseConnection = connectRedis(config, 'ingest-leases');
    this.connections.push(reads, leaseConnection);
    const consumer = new HandoffConsumer(reads, {
      prefix: config.redis.prefix,
      partitions: config.handoff.partitions,
      consumerName: config.instanceId,
      entriesPerRead: 200,
      targetLines: config.ingest.maxBatchLines,
      lingerMs: config.ingest.lingerMs,
      maxLingerMs: config.ingest.maxLingerMs,
      // At rest every process polls its partitions; pausing up to the linger costs half the polls of
      // 100 ms, and delays nothing more, as the linger after an idle pause is shortened by it. Both
      // grow as this process's share of the partitions falls (maxLingerMs).
      idlePollMs: Math.max(100, config.ingest.lingerMs),
      onLost: (partition) => {
        this.logger.warn({ partition }, 'hand-off partition lease lost; another ingest process reads it now');
        this.ingestedMinutes.released(partition);
        this.leases?.lost(partition);
      },
      onRedelivered: (partition) => this.ingestedMinutes.redelivered(partition),
    });
    await consumer.ensureGroups();
    this.leases = new PartitionLeases(
      leaseConnection,
      {
        prefix: config.redis.prefix,
        partitions: config.handoff.partitions,
        instanceId: config.instanceId,
        leaseMs: config.handoff.leaseMs,
      },
      {
        acquired: (partition, token) => {
          this.ingestedMinutes.held(partition, token);
          consumer.assign(partition, token);
        },
        revoked: (partition) => {
          this.ingestedMinutes.released(partition);
          consumer.revoke(partition);
        },
        // What was read from a partition is acknowledged, and when rebalancing its rules evaluated,
        // before another process takes it. Not at shutdown: with no alerts worker running it would
        // hold every stop for 5 s (a stop's hand-over may then reach rules out of order, rarely).
        drained: async () => {
          await consumer.drained();
          if (!this.stop.signal.aborted) await this.ruleFeed?.evaluated();
        },
        onError: (err) =>
          this.logger.error({ err }, 'renewing or rebalancing hand-off partition leases failed; retrying'),
      },
    );
    await this.leases.start();
    this.loop = this.run(consumer);
    this.logger.info(
      { writesInFlight: config.ingest.concurrency, partitions: this.leases.partitions },
      'ingest worker started',
    );
  }

  /**
   * One reader feeding an ordered pipeline: each batch is written to InfluxDB (at most
   * CP_INGEST_CONCURRENCY at once) and its rule feed queued in read order, then acknowledged.
   */
  private async run(consumer: HandoffConsumer): Promise<void> {
    // CP_INGEST_CONCURRENCY writes at once; reading (and the rule feed) goes on for a few batches more.
    const writeSlots = pLimit(this.config.ingest.concurrency);
    const pipeline = new OrderedPipeline(this.config.ingest.concurrency + READ_AHEAD_BATCHES, (err) => {
      if (!this.stop.signal.aborted)
        this.logger.error({ err }, 'ingest step failed; the batch stays pending and will be retried');
    });
    const feedDecoder = new RuleFeedDecoder();
    while (!this.stop.signal.aborted) {
      try {
        await pipeline.room();
        // The rule feed travels beside the lines (written by the broker): the lines go to InfluxDB
        // untouched, the entries' texts as they were read. Rules get the read rounds, in read
        // order, within CP_INGEST_RULE_FEED_MS rather than after the linger that fills a large
        // InfluxDB write: that linger is no part of an alert's latency.
        const devices: FeedDevice[] = [];
        const fed: Array<Promise<void>> = [];
        const window = new RuleFeedWindow(
          { maxWaitMs: this.config.ingest.ruleFeedMs, maxReadings: this.config.ingest.maxBatchLines },
          (gathered) => fed.push(this.feedRules(gathered)),
        );
        const batch = await consumer.next((round) => {
          const roundDevices = batchRuleFeed(round, feedDecoder);
          for (const device of roundDevices) devices.push(device);
          window.add(roundDevices);
        });
        window.flush();
        if (!batch) continue;
        pipeline.start({
          concurrent: () => writeSlots(() => this.write(batch, devices)),
          inOrder: async () => void (await Promise.all(fed)),
          finish: async () => void (await consumer.ack(batch)),
          settled: () => consumer.done(batch),
        });
      } catch (err) {
        if (this.stop.signal.aborted) break;
        this.logger.error({ err }, 'reading the hand-off stream failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    await pipeline.drain();
  }

  /**
   * Queues a round's rule-evaluation jobs after every round read before it (RuleFeed's calls must
   * not overlap, and a device's readings reach the rules in order). One failed round fails its own
   * batch (left pending, redone later), not the rounds after it.
   */
  private feedRules(devices: FeedDevice[]): Promise<void> {
    const fed = this.rulesFed.then(() => this.ruleFeed!.enqueue(devices));
    this.rulesFed = fed.catch(() => undefined);
    return fed;
  }

  private async write(batch: HandoffBatch, devices: FeedDevice[]): Promise<void> {
    // The entries' texts as the broker wrote them, joined: the lines are never split and re-joined.
    for (const body of writeBodies(batch.entries, this.config.ingest.maxBatchLines)) {
      const started = process.hrtime.bigint();
      const outcome = await this.writer.writeText(body.text, body.lines, { signal: this.stop.signal });
      this.metrics.influxWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      this.metrics.influxWriteBatches.inc();
      this.metrics.readingsStored.inc(outcome.written);
    }
    const storedMs = Date.now();
    this.observeStoreDelay(devices, storedMs);
    this.ingestedMinutes.stored(devices, storedMs);
    // Late readings' minutes are noted (in Redis) before the batch may be acknowledged.
    const noted = this.lateRollups.stored(devices, storedMs);
    if (noted) await noted;
  }

  /** Reading time to stored, per reading: the freshness operators and the benchmark look at. */
  private observeStoreDelay(devices: FeedDevice[], nowMs: number): void {
    for (const device of devices)
      for (const ms of device.times) this.metrics.readingStoreDelay.observe((nowMs - ms) / 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    // Finish what was read (acknowledging it), then give the leases up so others take over at once.
    this.stop.abort();
    await this.loop?.catch(() => undefined);
    await this.leases?.stop().catch(() => undefined);
    await this.lateRollups.close();
    await this.ingestedMinutes.close();
    await this.ruleFeed?.close();
    for (const redis of this.connections) redis.disconnect();
  }
}
