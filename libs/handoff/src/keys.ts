import { slotTag } from '@citypulse/redis';

/**
 * Redis keys of one hand-off partition. Every key of a partition shares one hash tag, so the
 * scripts that move its entries, its backlog counter and its lease together stay in one Redis
 * Cluster slot, while different partitions land in different slots.
 */
export function handoffKeys(prefix: string, partition: number) {
  const tag = slotTag(prefix, `handoff:${partition}`);
  return {
    stream: `${tag}:stream`,
    /** Readings appended but not yet acknowledged by a consumer (i.e. not yet in InfluxDB). */
    backlog: `${tag}:backlog`,
    /** Which ingest process reads this partition now (its lease token), with a TTL its owner renews. */
    lease: `${tag}:lease`,
  };
}

/** The live ingest processes (sorted set: member → expiry, Redis time in ms), for the fair share. */
export function handoffMembersKey(prefix: string): string {
  return `${slotTag(prefix, 'handoff')}:members`;
}

export const INGEST_GROUP = 'ingest';
