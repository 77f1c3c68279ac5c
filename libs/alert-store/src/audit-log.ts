import type { RedisClient } from '@citypulse/redis';

/** One operator action: who did what to which target. */
export interface AuditEntry {
  at: string;
  /** The operator (as given) and the API token identity it acted through. */
  actor: string;
  action: string;
  /** What was acted on, e.g. `alert:<id>`, `rule:<id>`, `webhook:<id>`, `job:<queue>/<id>`. */
  target: string;
  detail?: string;
}

const MAX_ENTRIES = 100_000;

/** The audit log: an append-only Redis stream, capped (approximately) at the newest 100,000 actions. */
export class AuditLog {
  private readonly key: string;

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.key = `${prefix}:audit`;
  }

  async record(entry: Omit<AuditEntry, 'at'>): Promise<AuditEntry> {
    const full: AuditEntry = { at: new Date().toISOString(), ...entry };
    await this.redis.xadd(this.key, 'MAXLEN', '~', MAX_ENTRIES, '*', 'entry', JSON.stringify(full));
    return full;
  }

  /** Many entries in one round trip (one per device of a bulk provisioning). */
  async recordMany(entries: ReadonlyArray<Omit<AuditEntry, 'at'>>): Promise<void> {
    const at = new Date().toISOString();
    for (let i = 0; i < entries.length; i += 1000) {
      const pipeline = this.redis.pipeline();
      for (const entry of entries.slice(i, i + 1000))
        pipeline.xadd(this.key, 'MAXLEN', '~', MAX_ENTRIES, '*', 'entry', JSON.stringify({ at, ...entry }));
      await pipeline.exec();
    }
  }

  /**
   * Newest first, with the total of matching entries. `actor` is a name as a person types it: the
   * token's name or the operator's (`alice (token ops)` matches `alice`, `ops` and the whole
   * string), in any case. `target` is a prefix (`device:bj-`); a route-style `devices/bj-` reads
   * the same. `offset` matches are skipped. Scans the stream (at most 100,000 entries).
   */
  async list({ actor, target, limit = 100, offset = 0 }: AuditQuery = {}): Promise<{
    items: AuditEntry[];
    total: number;
  }> {
    const items: AuditEntry[] = [];
    const byActor = actor === undefined ? undefined : actorMatcher(actor);
    const targetPrefix = target === undefined ? undefined : normaliseTarget(target);
    let total = 0;
    let end = '+';
    for (;;) {
      const page = (await this.redis.xrevrange(this.key, end, '-', 'COUNT', 500)) as Array<[string, string[]]>;
      for (const [id, fields] of page) {
        end = `(${id}`;
        const entry = JSON.parse(fields[1]) as AuditEntry;
        if (byActor && !byActor(entry.actor)) continue;
        if (targetPrefix !== undefined && !entry.target.startsWith(targetPrefix)) continue;
        if (total >= offset && items.length < limit) items.push(entry);
        total++;
      }
      if (page.length < 500) return { items, total };
    }
  }
}

export interface AuditQuery {
  actor?: string;
  target?: string;
  limit?: number;
  offset?: number;
}

/** `alice (token ops)`: an operator acting through a token. */
const OPERATOR_VIA_TOKEN = /^(.*) \(token (.*)\)$/;

/** Whether an entry's actor answers to a name: the whole actor, its operator or its token, case-insensitively. */
export function actorMatcher(name: string): (actor: string) => boolean {
  const wanted = name.trim().toLowerCase();
  return (actor) => {
    const lower = actor.toLowerCase();
    if (lower === wanted) return true;
    const via = OPERATOR_VIA_TOKEN.exec(lower);
    return via !== null && (via[1] === wanted || via[2] === wanted);
  };
}

const TARGET_KINDS: Record<string, string> = {
  devices: 'device',
  tokens: 'token',
  rules: 'rule',
  webhooks: 'webhook',
  alerts: 'alert',
  jobs: 'job',
  queues: 'queue',
  'maintenance-windows': 'maintenance-window',
};

/** A target prefix as stored (`device:bj-`), also when typed as a route (`devices/bj-`, `/devices/bj-`). */
export function normaliseTarget(target: string): string {
  const route = /^\/?([a-z-]+)\/(.*)$/.exec(target);
  const kind = route ? TARGET_KINDS[route[1]] : undefined;
  return kind ? `${kind}:${route![2]}` : target;
}
