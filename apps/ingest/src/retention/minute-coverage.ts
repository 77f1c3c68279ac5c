import { handoffKeys } from '@citypulse/handoff';
import { luaScript, type RedisClient } from '@citypulse/redis';
import { rollupNamed } from '@citypulse/storage';

const MINUTELY = rollupNamed('1m');
/** IngestedMinutes writes a minute this long after it ended (the 1-minute rollup's settle time). */
export const MINUTE_WRITTEN_AFTER_MS = MINUTELY.schedule.kind === 'ingest' ? MINUTELY.schedule.settleMs : 0;
/**
 * MinuteRollups looks at a minute's coverage this long after IngestedMinutes was due to write it,
 * and computes it from raw readings if some partition lacks it.
 */
export const COVERAGE_GRACE_MS = 15_000;

/**
 * By then a minute's scheduled rollup is written, by IngestedMinutes or from raw readings: later
 * writes of either would overwrite a recomputation of its late readings (LateRollups waits for it),
 * so IngestedMinutes does not write a minute it reaches after this.
 */
export function minuteFinalAtMs(minuteMs: number): number {
  return minuteMs + MINUTELY.intervalMs + MINUTE_WRITTEN_AFTER_MS + COVERAGE_GRACE_MS;
}

/** A minute's coverage marks outlive the look-back of MinuteRollups by far. */
const COVERAGE_KEPT_MS = 60 * 60_000;

/**
 * Marks the minute covered for the partition if the lease still holds this process's token: one
 * that lost the lease meanwhile may have missed readings another process stored.
 * KEYS: lease, mark. ARGV: token, ttl ms.
 */
const MARK_IF_HELD_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
return 1`;

/**
 * Which hand-off partitions' 1-minute rollup points an ingest process wrote for a minute
 * (IngestedMinutes), so MinuteRollups computes from raw readings only the minutes some partition
 * lacks. One key per partition and minute, in the partition's Redis Cluster slot beside its lease.
 */
export class MinuteCoverage {
  private readonly markIfHeld;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly partitions: number,
  ) {
    this.markIfHeld = luaScript(redis, 'cpMinuteCovered', MARK_IF_HELD_LUA);
  }

  /** Marks the minute covered for the partition while this process (`token`) holds its lease; true if marked. */
  async mark(partition: number, token: string, minuteMs: number): Promise<boolean> {
    const { lease } = handoffKeys(this.prefix, partition);
    const marked = await this.markIfHeld([lease, this.key(partition, minuteMs)], [token, COVERAGE_KEPT_MS]);
    return marked === 1;
  }

  /** Whether every partition's points of the minute were written by the process that stored its readings. */
  async complete(minuteMs: number): Promise<boolean> {
    const marks = await Promise.all(
      Array.from({ length: this.partitions }, (_, partition) => this.redis.exists(this.key(partition, minuteMs))),
    );
    return marks.every((n) => n === 1);
  }

  private key(partition: number, minuteMs: number): string {
    return `${handoffKeys(this.prefix, partition).lease}:rollup-1m:${minuteMs}`;
  }
}
