import type { RedisClient } from '@citypulse/redis';

/**
 * A replay session: the devices whose id starts with `<prefix>-`, in `city` (or in every city when
 * null), send traffic on a clock of their own — a capture replayed at N× or as a backfill — so
 * their silence is judged on their event time, not on the wall clock (apps/alerts). While the
 * session runs, the wall-clock deadman check leaves its devices alone and a gap of a window between
 * two of a device's readings raises; once it has ended (`endMs`, in the traffic's time), a device
 * quiet for a window before that end raises once, and silence raises nothing more after that: an
 * ended replay is not a fleet gone dark.
 *
 * One entry per (prefix, city), so a city's admin opens, ends and removes only its own cities'
 * entries and never changes how another city's devices are judged.
 */
export interface ReplaySession {
  prefix: string;
  /** The city whose devices the entry covers; null: every city (a cluster-wide admin's session). */
  city: string | null;
  openedAt: string;
  openedBy: string;
  /** The end of the replayed traffic, in its own (event) time; absent while it runs. */
  endMs?: number;
  /** Wall time the end was declared. */
  endedAt?: string;
}

/** The replay session covering a device, if any (the longest matching prefix). */
export function sessionOf(
  sessions: readonly ReplaySession[],
  device: { deviceId: string; city: string },
): ReplaySession | undefined {
  let found: ReplaySession | undefined;
  for (const session of sessions) {
    if (!device.deviceId.startsWith(`${session.prefix}-`)) continue;
    if (session.city !== null && session.city !== device.city) continue;
    if (!found || session.prefix.length > found.prefix.length) found = session;
  }
  return found;
}

/**
 * Replay sessions in one Redis hash (field: `<prefix> <city or *>`): a handful at a time, read whole by the alerts
 * workers.
 */
export class ReplaySessions {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:replay-sessions`;
  }

  async all(): Promise<ReplaySession[]> {
    return Object.values(await this.redis.hgetall(this.key)).map((json) => JSON.parse(json) as ReplaySession);
  }

  /** The entries of `prefix` for these cities (null: the every-city entry). */
  async of(prefix: string, cities: readonly string[] | null): Promise<ReplaySession[]> {
    const fields = (cities ?? [null]).map((city) => field(prefix, city));
    const found = await this.redis.hmget(this.key, ...fields);
    return found.filter((json): json is string => json !== null).map((json) => JSON.parse(json) as ReplaySession);
  }

  /** Opens (or re-opens, clearing a previous end) the session of `prefix` in these cities (null: every city). */
  async open(prefix: string, cities: readonly string[] | null, by: string): Promise<ReplaySession[]> {
    const openedAt = new Date().toISOString();
    const sessions = (cities ?? [null]).map((city): ReplaySession => ({ prefix, city, openedAt, openedBy: by }));
    await this.put(sessions);
    return sessions;
  }

  async end(sessions: readonly ReplaySession[], endMs: number): Promise<ReplaySession[]> {
    const endedAt = new Date().toISOString();
    const ended = sessions.map((s) => ({ ...s, endMs, endedAt }));
    await this.put(ended);
    return ended;
  }

  async remove(sessions: readonly ReplaySession[]): Promise<void> {
    if (sessions.length > 0) await this.redis.hdel(this.key, ...sessions.map((s) => field(s.prefix, s.city)));
  }

  private async put(sessions: readonly ReplaySession[]): Promise<void> {
    if (sessions.length === 0) return;
    const args: string[] = [];
    for (const s of sessions) args.push(field(s.prefix, s.city), JSON.stringify(s));
    await this.redis.hset(this.key, ...args);
  }
}

function field(prefix: string, city: string | null): string {
  return `${prefix} ${city ?? '*'}`;
}
