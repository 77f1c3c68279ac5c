import type { RedisClient } from '@citypulse/redis';
import { handoffKeys, INGEST_GROUP } from './keys.js';

export interface HandoffDepth {
  /** Entries in the streams: appended and not yet acknowledged (acknowledged ones are deleted). */
  entries: number;
  /** Of those, entries an ingest worker has read and not yet acknowledged (in flight, or its worker died). */
  pendingEntries: number;
  /** Readings appended and not yet in InfluxDB: the counters the brokers' back-pressure reads. */
  readings: number;
}

/**
 * The hand-off's depth now, summed over its partitions: XLEN, the XPENDING summary and the backlog
 * counter of each, all sent at once (one round trip per Redis node).
 */
export async function readHandoffDepth(redis: RedisClient, prefix: string, partitions: number): Promise<HandoffDepth> {
  const perPartition = await Promise.all(
    Array.from({ length: partitions }, async (_, p) => {
      const keys = handoffKeys(prefix, p);
      const [entries, pending, readings] = await Promise.all([
        redis.xlen(keys.stream),
        // No group yet (no ingest worker ever started): nothing is pending.
        (redis.xpending(keys.stream, INGEST_GROUP) as Promise<[number]>).catch(() => [0]),
        redis.get(keys.backlog),
      ]);
      return {
        entries: Number(entries ?? 0),
        pendingEntries: Number(pending[0] ?? 0),
        readings: Number(readings ?? 0),
      };
    }),
  );
  return perPartition.reduce(
    (sum, d) => ({
      entries: sum.entries + d.entries,
      pendingEntries: sum.pendingEntries + d.pendingEntries,
      readings: sum.readings + d.readings,
    }),
    {
      entries: 0,
      pendingEntries: 0,
      readings: 0,
    },
  );
}

/** Readings handed off and not yet stored, over every partition: what back-pressure and the fault checks watch. */
export async function readHandoffBacklog(redis: RedisClient, prefix: string, partitions: number): Promise<number> {
  const values = await Promise.all(
    Array.from({ length: partitions }, (_, p) => redis.get(handoffKeys(prefix, p).backlog)),
  );
  return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
}
