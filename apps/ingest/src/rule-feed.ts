import { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { QUEUES, packDeviceReadings, type DeviceReadings, type PackedDeviceReadings, type RuleEvaluationJob } from '@citypulse/contracts';
import { bullConnection, bullPrefix, connectRedis } from '@citypulse/core';
import { LastSeenIndex } from '@citypulse/alert-store';
import type { RedisClient } from '@citypulse/redis';

/** Readings per rule-evaluation job: big enough to amortise BullMQ's per-job cost, small enough to keep jobs light. */
const READINGS_PER_JOB = 1000;

/**
 * Passes stored readings on to rule evaluation as BullMQ jobs, a batch per job — never one job
 * per reading (BullMQ adds ~40k jobs/s here; readings arrive faster than that) — and records when
 * each device last reported, for the deadman check: one ZADD per batch.
 */
export class RuleFeed {
  private readonly queue: Queue<RuleEvaluationJob>;
  private readonly redis: RedisClient;
  private readonly lastSeen: LastSeenIndex;

  constructor(config: AppConfig) {
    this.redis = connectRedis(config, 'last-seen');
    this.lastSeen = new LastSeenIndex(this.redis, config.redis.prefix);
    this.queue = new Queue<RuleEvaluationJob>(QUEUES.ruleEvaluation, {
      connection: bullConnection(config),
      prefix: bullPrefix(config),
      defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 10_000, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
    });
  }

  /** One job per ~READINGS_PER_JOB readings; a device's readings stay in one job, in order. */
  async enqueue(devices: DeviceReadings[]): Promise<void> {
    const jobs: Array<{ name: string; data: RuleEvaluationJob }> = [];
    let current: PackedDeviceReadings[] = [];
    let size = 0;
    for (const device of devices) {
      current.push(packDeviceReadings(device));
      size += device.readings.length;
      if (size >= READINGS_PER_JOB) {
        jobs.push({ name: 'evaluate', data: { devices: current } });
        current = [];
        size = 0;
      }
    }
    if (current.length > 0) jobs.push({ name: 'evaluate', data: { devices: current } });
    await Promise.all([jobs.length > 0 ? this.queue.addBulk(jobs) : undefined, this.lastSeen.touch(devices.map(newestReading))]);
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

function newestReading(device: DeviceReadings): { deviceId: string; newestMs: number } {
  let newestMs = 0;
  for (const [tsMs] of device.readings) if (tsMs > newestMs) newestMs = tsMs;
  return { deviceId: device.deviceId, newestMs };
}
