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

  /** Newest first, optionally only one actor's or one target's; `offset` matches skipped. */
  async list({ actor, target, limit = 100, offset = 0 }: { actor?: string; target?: string; limit?: number; offset?: number } = {}): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let skip = offset;
    let end = '+';
    for (;;) {
      const page = (await this.redis.xrevrange(this.key, end, '-', 'COUNT', 500)) as Array<[string, string[]]>;
      for (const [id, fields] of page) {
        end = `(${id}`;
        const entry = JSON.parse(fields[1]) as AuditEntry;
        if ((actor === undefined || entry.actor === actor) && (target === undefined || entry.target === target) && skip-- <= 0) out.push(entry);
        if (out.length >= limit) return out;
      }
      if (page.length < 500) return out;
    }
  }
}
