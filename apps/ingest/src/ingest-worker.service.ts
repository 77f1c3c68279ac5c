import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { LOGGER, connectRedis } from '@citypulse/core';
import type { DeviceReadings } from '@citypulse/contracts';
import { HandoffConsumer, type HandoffBatch } from '@citypulse/handoff';
import { Metrics, type Logger } from '@citypulse/observability';
import type { ResilientWriter } from '@citypulse/storage';
import { RuleFeed } from './rule-feed.js';
import { INFLUX_WRITER } from './tokens.js';

/**
 * Moves readings from the hand-off stream into InfluxDB: read a batch → write it (retrying
 * until InfluxDB takes it) → pass it on to rule evaluation → acknowledge. Acknowledging last
 * means a worker killed at any step leaves the entries pending for another to redo; the
 * identity fixed by the broker makes the redo harmless.
 */
@Injectable()
export class IngestWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly stop = new AbortController();
  private readonly connections: Redis[] = [];
  private loops: Promise<void>[] = [];
  private ruleFeed?: RuleFeed;
  private logger: Logger;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(INFLUX_WRITER) private readonly writer: ResilientWriter,
    private readonly metrics: Metrics,
  ) {
    this.logger = logger.child({ component: 'ingest' });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.ruleFeed = new RuleFeed(this.config);
    for (let k = 0; k < this.config.ingest.concurrency; k++) {
      const redis = connectRedis(this.config, `ingest-${k}`);
      this.connections.push(redis);
      const consumer = new HandoffConsumer(redis, {
        prefix: this.config.redis.prefix,
        consumerName: `${this.config.instanceId}-${k}`,
        entriesPerRead: 200,
        targetLines: this.config.ingest.maxBatchLines,
        lingerMs: this.config.ingest.lingerMs,
      });
      await consumer.ensureGroup();
      this.loops.push(this.run(consumer));
    }
    this.logger.info({ loops: this.config.ingest.concurrency }, 'ingest worker started');
  }

  private async run(consumer: HandoffConsumer): Promise<void> {
    while (!this.stop.signal.aborted) {
      try {
        const batch = await consumer.next();
        if (!batch) continue;
        await this.process(batch);
        await consumer.ack(batch);
      } catch (err) {
        if (this.stop.signal.aborted) return;
        this.logger.error({ err }, 'ingest step failed; the batch stays pending and will be retried');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async process(batch: HandoffBatch): Promise<void> {
    const { maxBatchLines } = this.config.ingest;
    for (let i = 0; i < batch.lines.length; i += maxBatchLines) {
      const started = process.hrtime.bigint();
      const outcome = await this.writer.writeBatch(batch.lines.slice(i, i + maxBatchLines), { signal: this.stop.signal });
      this.metrics.influxWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      this.metrics.readingsStored.inc(outcome.written);
    }
    this.observeStoreDelay(batch.devices);
    await this.ruleFeed!.enqueue(batch.devices);
  }

  /** Reading time to stored, per reading: the freshness operators and the benchmark look at. */
  private observeStoreDelay(devices: DeviceReadings[]): void {
    const nowMs = Date.now();
    for (const device of devices) for (const [tsMs] of device.readings) this.metrics.readingStoreDelay.observe((nowMs - tsMs) / 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.loops);
    await this.ruleFeed?.close();
    for (const redis of this.connections) redis.disconnect();
  }
}
