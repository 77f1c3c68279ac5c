import type { Queue } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { QUEUES, type FeedDevice, type RuleEvaluationJob } from '@citypulse/contracts';
import { connectRedis } from '@citypulse/core';
import { LastSeenIndex, RuleJobFeeds } from '@citypulse/alert-store';
import { openQueue, waitForJobs, type RedisClient } from '@citypulse/redis';

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
  private readonly feeds: RuleJobFeeds;
  /** The jobs of the previous batch: the next batch's jobs are evaluated after them (`after`). */
  private previous: string[] = [];

  constructor(config: AppConfig) {
    this.redis = connectRedis(config, 'last-seen');
    this.lastSeen = new LastSeenIndex(this.redis, config.redis.prefix);
    this.feeds = new RuleJobFeeds(this.redis, config.redis.prefix);
    this.queue = openQueue<RuleEvaluationJob>(config, QUEUES.ruleEvaluation);
  }

  /**
   * One job per ~READINGS_PER_JOB readings; a device's readings stay in one job, in order, and each
   * job names the previous batch's jobs to be evaluated first. Calls must not overlap (the ingest
   * pipeline feeds rules one batch at a time, in read order).
   */
  async enqueue(devices: FeedDevice[]): Promise<void> {
    const feeds: FeedDevice[][] = [];
    let current: FeedDevice[] = [];
    let size = 0;
    for (const device of devices) {
      current.push(device);
      size += device.times.length;
      if (size >= READINGS_PER_JOB) {
        feeds.push(current);
        current = [];
        size = 0;
      }
    }
    if (current.length > 0) feeds.push(current);
    const [added] = await Promise.all([
      feeds.length > 0 ? this.addJobs(feeds) : undefined,
      this.lastSeen.touch(devices.map(newestReading)),
    ]);
    if (added) this.previous = added;
  }

  /** The feeds first, then their jobs: a job fetched at once must find its readings. Returns the jobs' ids. */
  private async addJobs(feeds: FeedDevice[][]): Promise<string[]> {
    const keys = await Promise.all(feeds.map((feed) => this.feeds.put(feed)));
    const after = this.previous;
    const added = await this.queue.addBulk(keys.map((feedKey) => ({ name: 'evaluate', data: { feedKey, after } })));
    return added.map((job) => job.id!);
  }

  /**
   * Resolves once the jobs fed so far were evaluated (or after `maxWaitMs`): before a partition is
   * handed to another ingest process, whose jobs do not wait for this one's.
   */
  async evaluated(maxWaitMs = 5000): Promise<void> {
    await waitForJobs(this.queue, this.previous, { maxWaitMs });
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }
}

function newestReading(device: FeedDevice): { deviceId: string; newestMs: number } {
  let newestMs = 0;
  for (const ms of device.times) if (ms > newestMs) newestMs = ms;
  return { deviceId: device.deviceId, newestMs };
}
