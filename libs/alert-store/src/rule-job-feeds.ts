import { randomUUID } from 'node:crypto';
import {
  decodeJobFeed,
  encodeJobFeed,
  feedDeviceReadings,
  ruleJobReadings,
  type DeviceReadings,
  type FeedDevice,
  type RuleEvaluationJob,
} from '@citypulse/contracts';
import { slotTag, type RedisClient } from '@citypulse/redis';

/**
 * A feed never evaluated goes after a week: one whose job was never added (the add failed after
 * the feed was written; ingest redoes the batch with a new feed), or whose alerts workers stayed
 * down that long.
 */
const UNEVALUATED_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * The readings of rule-evaluation jobs, each in a Redis string of its own beside its BullMQ job
 * (`RuleEvaluationJob.feedKey`). Inside the job they crossed BullMQ's Lua scripts twice — copied
 * into Lua when added, out of it when fetched — which cost Redis more than the readings' every
 * other step there. Written before its job is added, deleted once the job's readings are
 * evaluated (or kept `keptAfterS` seconds more for a look).
 */
export class RuleJobFeeds {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly keptAfterS = 0,
  ) {}

  /** Stores one job's feed; returns its key, for the job's `feedKey`. */
  async put(devices: readonly FeedDevice[]): Promise<string> {
    // Each feed in its own slot: on a Redis Cluster the feeds spread over the nodes.
    const key = slotTag(this.prefix, `rule-feed:${randomUUID()}`);
    await this.redis.set(key, encodeJobFeed(devices), 'PX', UNEVALUATED_TTL_MS);
    return key;
  }

  /**
   * A job's readings per device, from its feed key or, for a job queued by an ingest worker from
   * before feeds had keys, from the job itself. Undefined when the key is gone: evaluated already
   * (the worker stopped between evaluating and completing the job) or expired.
   */
  async readings(job: RuleEvaluationJob): Promise<DeviceReadings[] | undefined> {
    if (job.feedKey === undefined) return ruleJobReadings(job);
    const text = await this.redis.get(job.feedKey);
    return text === null ? undefined : decodeJobFeed(text).map(feedDeviceReadings);
  }

  /** The job's readings were evaluated: its feed goes (or stays `keptAfterS` more). */
  async evaluated(job: RuleEvaluationJob): Promise<void> {
    if (job.feedKey === undefined) return;
    if (this.keptAfterS > 0) await this.redis.expire(job.feedKey, this.keptAfterS);
    else await this.redis.del(job.feedKey);
  }
}
