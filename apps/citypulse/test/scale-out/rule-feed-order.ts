import { Queue, type JobType } from 'bullmq';
import type { AppConfig } from '@citypulse/config';
import { bullConnection, bullPrefix, connectRedis } from '@citypulse/core';
import { QUEUES, type RuleEvaluationJob } from '@citypulse/contracts';
import { RuleJobFeeds } from '@citypulse/alert-store';
import { handoffKeys } from '@citypulse/handoff';

/**
 * What ingest handed to rule evaluation, per device: the reading times of each device in the order
 * of the rule-evaluation jobs that carry them (BullMQ job ids count up in the order jobs were added,
 * whichever ingest process added them), then in order within each job. `states`: e.g. only
 * `completed` for the readings rule evaluation is done with.
 */
export async function ruleFeedByDevice(
  config: AppConfig,
  deviceIds: readonly string[],
  states: JobType[] = ['completed', 'active', 'waiting', 'delayed', 'failed'],
): Promise<Map<string, number[]>> {
  const queue = new Queue<RuleEvaluationJob>(QUEUES.ruleEvaluation, {
    connection: bullConnection(config),
    prefix: bullPrefix(config),
  });
  const redis = connectRedis(config, 'test-rule-feeds');
  try {
    const jobs = (await queue.getJobs(states, 0, -1)).sort((a, b) => Number(a.id) - Number(b.id));
    const feeds = new RuleJobFeeds(redis, config.redis.prefix);
    const wanted = new Set(deviceIds);
    const feed = new Map<string, number[]>(deviceIds.map((id) => [id, []]));
    for (const job of jobs) {
      const readings = await feeds.readings(job.data);
      if (!readings) throw new Error(`rule job ${job.id}: its readings are gone (CP_RULE_FEEDS_KEPT_S too short?)`);
      for (const device of readings)
        if (wanted.has(device.deviceId)) feed.get(device.deviceId)!.push(...device.readings.map(([ms]) => ms));
    }
    return feed;
  } finally {
    redis.disconnect();
    await queue.close();
  }
}

/** Who holds each hand-off partition's lease now: the ingest instance id, or null (lease value `${instanceId}#…`). */
export async function handoffLeases(config: AppConfig): Promise<Array<string | null>> {
  const redis = connectRedis(config, 'test-leases');
  try {
    const leases = await Promise.all(
      Array.from({ length: config.handoff.partitions }, (_, p) => redis.get(handoffKeys(config.redis.prefix, p).lease)),
    );
    return leases.map((lease) => (lease === null ? null : lease.slice(0, lease.lastIndexOf('#'))));
  } finally {
    redis.disconnect();
  }
}

/** The ingest instances holding a lease on some hand-off partition now. */
export async function handoffLeaseHolders(config: AppConfig): Promise<Set<string>> {
  return new Set((await handoffLeases(config)).filter((holder): holder is string => holder !== null));
}
