import type { RedisClient } from '@citypulse/redis';
import { handoffKeys, INGEST_GROUP } from './keys.js';

export interface HandoffDepth {
  /** Entries in the stream: appended and not yet acknowledged (acknowledged ones are deleted). */
  entries: number;
  /** Of those, entries an ingest worker has read and not yet acknowledged (in flight, or its worker died). */
  pendingEntries: number;
  /** Readings appended and not yet in InfluxDB: the counter the broker's back-pressure reads. */
  readings: number;
}

/** The hand-off's depth now, in one round trip (XLEN, XPENDING summary, the backlog counter). */
export async function readHandoffDepth(redis: RedisClient, prefix: string): Promise<HandoffDepth> {
  const keys = handoffKeys(prefix);
  const results = (await redis.pipeline().xlen(keys.stream).xpending(keys.stream, INGEST_GROUP).get(keys.backlog).exec()) ?? [];
  const [[, entries], [pendingError, pending], [, readings]] = results as Array<[Error | null, unknown]>;
  // No group yet (no ingest worker ever started): nothing is pending.
  const pendingEntries = pendingError ? 0 : Number((pending as [number])[0] ?? 0);
  return { entries: Number(entries ?? 0), pendingEntries, readings: Number(readings ?? 0) };
}
