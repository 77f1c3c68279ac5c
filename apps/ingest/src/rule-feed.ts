import { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { QUEUES, type DeviceReadings, type RuleEvaluationJob } from '@citypulse/contracts';
import { bullPrefix } from '@citypulse/core';

/** Readings per rule-evaluation job: big enough to amortise BullMQ's per-job cost, small enough to keep jobs light. */
const READINGS_PER_JOB = 1000;

/**
 * Passes stored readings on to rule evaluation as BullMQ jobs, a batch per job — never one job
 * per reading (BullMQ adds ~40k jobs/s here; readings arrive faster than that).
 */
export class RuleFeed {
  private readonly queue: Queue<RuleEvaluationJob>;

  constructor(config: AppConfig) {
    this.queue = new Queue<RuleEvaluationJob>(QUEUES.ruleEvaluation, {
      connection: { url: config.redis.url },
      prefix: bullPrefix(config),
      defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 10_000, attempts: 5, backoff: { type: 'exponential', delay: 500 } },
    });
  }

  /** One job per ~READINGS_PER_JOB readings; a device's readings stay in one job, in order. */
  async enqueue(devices: DeviceReadings[]): Promise<void> {
    const jobs: Array<{ name: string; data: RuleEvaluationJob }> = [];
    let current: DeviceReadings[] = [];
    let size = 0;
    for (const device of devices) {
      current.push(device);
      size += device.readings.length;
      if (size >= READINGS_PER_JOB) {
        jobs.push({ name: 'evaluate', data: { devices: current } });
        current = [];
        size = 0;
      }
    }
    if (current.length > 0) jobs.push({ name: 'evaluate', data: { devices: current } });
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
