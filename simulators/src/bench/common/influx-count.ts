import { setTimeout as delay } from 'node:timers/promises';
import { InfluxQueryClient, quoteIdent } from '@citypulse/storage';

/**
 * The bench's own InfluxDB database: created fresh for each run (so every point in it is the
 * run's), counted at the end — the ground truth for "stored" — and dropped unless kept.
 */
export class BenchDatabase {
  private readonly client: InfluxQueryClient;

  constructor(
    private readonly url: string,
    readonly name: string,
  ) {
    this.client = new InfluxQueryClient({ url, database: name, timeoutMs: 120_000 });
  }

  create(): Promise<void> {
    return this.client.createDatabase(this.name);
  }

  /**
   * Drops the database once its shards have settled. InfluxDB 1.x can deadlock when a database is
   * dropped while a cache snapshot of it is being written (influxdata/influxdb#8713: the snapshot
   * holds the engine's lock and waits for the field set's, the delete the other way round); seen
   * here right after the plain bridge's run, after which the server took no more writes until it
   * was restarted. Waiting until no write, snapshot or compaction has moved for a moment first
   * keeps the drop out of that window. Its rollup queries are dropped before that wait, so none
   * writes into it meanwhile.
   */
  async drop(): Promise<void> {
    await this.client.dropContinuousQueries(this.name);
    await waitForShardsToSettle(this.url, this.name);
    return this.client.dropDatabase(this.name);
  }

  /**
   * Points of a measurement, counted by one field every bench reading carries. InfluxDB counts
   * per field; a point is stored whole or not at all, so one field's count is the point count.
   */
  async countPoints(measurement: string, field: string): Promise<number> {
    const [row] = await this.client.query(`SELECT count(${quoteIdent(field)}) FROM ${quoteIdent(measurement)}`);
    return typeof row?.count === 'number' ? row.count : 0;
  }
}

const SETTLE_POLL_MS = 500;
/** Unchanged polls in a row that count as settled. */
const SETTLED_POLLS = 3;
/** A server whose statistics never settle is dropped anyway after this long. */
const SETTLE_LIMIT_MS = 15_000;

/**
 * Waits until the database's cache statistics (writes, snapshots, bytes in memory and on disk) in
 * InfluxDB's /debug/vars stay the same for SETTLED_POLLS polls. Servers without those statistics
 * (VictoriaMetrics, an unreachable /debug/vars) are taken as settled.
 */
export async function waitForShardsToSettle(url: string, database: string): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let last = await cacheFingerprint(url, database);
  let unchanged = 0;
  while (last !== undefined && unchanged < SETTLED_POLLS && Date.now() < deadline) {
    await delay(SETTLE_POLL_MS);
    const now = await cacheFingerprint(url, database);
    unchanged = now === last ? unchanged + 1 : 0;
    last = now;
  }
}

interface CacheStatistics {
  name?: string;
  tags?: { database?: string };
  values?: Record<string, number>;
}

/** The database's tsm1_cache counters, one string over all its shards; undefined when not available. */
async function cacheFingerprint(url: string, database: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${url.replace(/\/+$/, '')}/debug/vars`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const vars = (await response.json()) as Record<string, CacheStatistics>;
    const parts = Object.entries(vars)
      .filter(([, v]) => v?.name === 'tsm1_cache' && v.tags?.database === database)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, v]) => {
        const s = v.values ?? {};
        return `${key}:${s.writeOk}/${s.writeErr}/${s.snapshotCount}/${s.memBytes}/${s.diskBytes}`;
      });
    return parts.join(';');
  } catch {
    return undefined;
  }
}
