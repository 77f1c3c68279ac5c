import { luaScript, type RedisClient } from '@citypulse/redis';
import { groupRanges, type LateRange } from './late-intervals.js';

/** One interval as taken, with its score (last note time) then: its removal is conditional on it. */
export interface TakenInterval {
  member: string;
  score: string;
}

/** Ranges to recompute, and the intervals claimed for them (to be marked done or released). */
export interface TakenRanges {
  ranges: LateRange[];
  taken: TakenInterval[];
}

/** Removes an interval only if no late reading was noted in it since it was taken (KEYS[1] the set). */
const REMOVE_IF_UNCHANGED_LUA = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`;

/** Most intervals taken in one go: a repair round stays bounded after a long outage. */
const MAX_TAKEN = 1000;

/**
 * The intervals of one rollup that late readings touched, kept in Redis (a sorted set: member
 * `[measurement, start]`, score the last time a late reading was noted in it) rather than in the
 * memory of the ingest process that stored them: a crash no longer forgets them, and every ingest
 * process sharing the prefix sees the same set, so an interval is recomputed by one process, once
 * quiet, not by each that stored some of its readings. A process claims what it takes (SET NX with
 * an expiry: one that dies while recomputing is taken over after `claimMs`); once recomputed, an
 * interval is removed unless a late reading was noted in it meanwhile, which leaves it for later.
 */
export class LateIntervalStore {
  private readonly removeIfUnchanged;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly intervalMs: number,
    private readonly claimMs: number,
  ) {
    this.removeIfUnchanged = luaScript(redis, 'cpLateIntervalDone', REMOVE_IF_UNCHANGED_LUA);
  }

  /** Notes the intervals holding these times, as of `nowMs` (a later note of an interval wins). */
  async note(times: ReadonlyArray<{ measurement: string; ms: number }>, nowMs: number): Promise<void> {
    const members = new Set<string>();
    for (const { measurement, ms } of times) members.add(memberOf(measurement, this.startOf(ms)));
    if (members.size === 0) return;
    await this.redis.zadd(this.key, 'GT', ...[...members].flatMap((member) => [nowMs, member]));
  }

  /**
   * Claims the intervals last noted before `quietSinceMs` (all without it) that no other process
   * holds and that begin before `startedBeforeMs`, as ranges of consecutive intervals per measurement.
   */
  async takeQuiet(
    quietSinceMs = Number.POSITIVE_INFINITY,
    startedBeforeMs = Number.POSITIVE_INFINITY,
  ): Promise<TakenRanges> {
    const max = Number.isFinite(quietSinceMs) ? `(${quietSinceMs}` : '+inf';
    const found = await this.redis.zrangebyscore(this.key, '-inf', max, 'WITHSCORES', 'LIMIT', 0, MAX_TAKEN);
    const taken: TakenInterval[] = [];
    for (let i = 0; i < found.length; i += 2) {
      const member = found[i];
      if (parseMember(member).ms >= startedBeforeMs) continue;
      const claimed = await this.redis.set(this.claimKey(member), '1', 'PX', this.claimMs, 'NX');
      if (claimed === 'OK') taken.push({ member, score: found[i + 1] });
    }
    const intervals = taken.map(({ member }) => parseMember(member));
    return { ranges: groupRanges(this.intervalMs, intervals), taken };
  }

  /** The intervals of `ranges` recomputed: forgotten, unless noted again since they were taken. */
  async done(taken: readonly TakenInterval[], ranges: readonly LateRange[]): Promise<void> {
    for (const interval of this.within(taken, ranges)) {
      await this.removeIfUnchanged([this.key], [interval.member, interval.score]);
      await this.redis.del(this.claimKey(interval.member));
    }
  }

  /** The intervals of `ranges` not recomputed: let go, for this or another process to try again. */
  async release(taken: readonly TakenInterval[], ranges: readonly LateRange[]): Promise<void> {
    for (const interval of this.within(taken, ranges)) await this.redis.del(this.claimKey(interval.member));
  }

  private within(taken: readonly TakenInterval[], ranges: readonly LateRange[]): TakenInterval[] {
    return taken.filter(({ member }) => {
      const { measurement, ms } = parseMember(member);
      return ranges.some((r) => r.measurement === measurement && ms >= r.fromMs && ms < r.toMs);
    });
  }

  private startOf(ms: number): number {
    return Math.floor(ms / this.intervalMs) * this.intervalMs;
  }

  private claimKey(member: string): string {
    return `${this.key}:claim:${member}`;
  }
}

function memberOf(measurement: string, startMs: number): string {
  return JSON.stringify([measurement, startMs]);
}

function parseMember(member: string): { measurement: string; ms: number } {
  const [measurement, ms] = JSON.parse(member) as [string, number];
  return { measurement, ms };
}
