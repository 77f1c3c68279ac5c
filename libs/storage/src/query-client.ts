import { quoteIdent, quoteString, rfc3339ToEpochNs, tagEquals } from './influxql.js';

export interface InfluxQueryClientOptions {
  /** Base URL of InfluxDB 1.x, or 2.x/3.x (their v1-compatible /query). */
  url: string;
  /** Default database for queries. */
  database: string;
  /** "user:password" (1.x, sent as Basic auth) or an API token (2.x/3.x). Empty when open. */
  token?: string;
  /** @defaultValue 30000 */
  timeoutMs?: number;
}

/** One result row: columns (time, fields, and tags for SELECT * or GROUP BY) by name. */
export type Row = Record<string, unknown> & { time?: string };

export interface QueryOptions {
  /** Database; the client's default when absent. */
  db?: string;
  /**
   * Time column format. Absent: RFC3339 with ns as InfluxDB sends it. 'ns': epoch ns as a decimal
   * string (exact, like Reading.timeNs). 'ms' / 's': epoch numbers.
   */
  epoch?: 'ns' | 'ms' | 's';
}

export class InfluxQueryError extends Error {
  override readonly name = 'InfluxQueryError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** One series as InfluxDB returns it: tags (GROUP BY) apart from the columns. */
export interface Series {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}
interface QueryJson {
  error?: string;
  results?: Array<{ error?: string; series?: Series[] }>;
}

/** Reads with InfluxQL over /query: the one query language that 1.x, 2.x and 3.x all accept. */
export class InfluxQueryClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: InfluxQueryClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    const token = options.token ?? '';
    this.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    if (token.includes(':')) this.headers.authorization = `Basic ${Buffer.from(token).toString('base64')}`;
    else if (token) this.headers.authorization = `Token ${token}`;
  }

  /** Resolves with the server's version when it answers /ping; rejects otherwise (readiness checks). */
  async ping(): Promise<{ version?: string }> {
    const response = await this.fetch(`${this.base}/ping`, { headers: this.headers });
    await response.arrayBuffer();
    if (!response.ok) throw new InfluxQueryError(`GET /ping answered ${response.status}`, response.status);
    return { version: response.headers.get('x-influxdb-version') ?? undefined };
  }

  /** Rows of the query's (first statement's) series, tags of a GROUP BY merged into each row. */
  async query(influxql: string, options: QueryOptions = {}): Promise<Row[]> {
    const rows: Row[] = [];
    for (const series of await this.series(influxql, options)) {
      for (const values of series.values ?? []) {
        const row: Row = { ...series.tags };
        series.columns.forEach((column, i) => (row[column] = values[i]));
        rows.push(row);
      }
    }
    return rows;
  }

  /** The first statement's series as returned, for callers that must tell tags from fields. */
  async series(influxql: string, options: QueryOptions = {}): Promise<Series[]> {
    const params = new URLSearchParams({ q: influxql, db: options.db ?? this.options.database });
    if (options.epoch && options.epoch !== 'ns') params.set('epoch', options.epoch);
    const [result] = await this.post(params);
    const series = result?.series ?? [];
    if (options.epoch === 'ns') {
      for (const s of series) {
        const at = s.columns.indexOf('time');
        if (at < 0) continue;
        for (const values of s.values ?? [])
          if (typeof values[at] === 'string') values[at] = rfc3339ToEpochNs(values[at]);
      }
    }
    return series;
  }

  /**
   * The POST /query request for a query, for reading its answer as a stream (streamQuery in
   * query-stream.ts) instead of whole. `epoch`: as in QueryOptions, but for 'ns' (times are then
   * left as RFC3339, which is exact).
   */
  queryRequest(
    influxql: string,
    options: Omit<QueryOptions, 'epoch'> & { epoch?: 'ms' | 's' } = {},
  ): { url: string; headers: Record<string, string>; params: URLSearchParams } {
    const params = new URLSearchParams({ q: influxql, db: options.db ?? this.options.database });
    if (options.epoch) params.set('epoch', options.epoch);
    return { url: `${this.base}/query`, headers: { ...this.headers }, params };
  }

  /** The newest point of a device in a measurement, tags included; undefined when there is none. */
  async latest(
    measurement: string,
    deviceId: string,
    options: Omit<QueryOptions, 'db'> = {},
  ): Promise<Row | undefined> {
    const q =
      `SELECT * FROM ${quoteIdent(measurement)} WHERE "device_id" = ${quoteString(deviceId)} ORDER BY time DESC ` +
      `LIMIT 1`;
    const [row] = await this.query(q, options);
    return row;
  }

  /**
   * Points in a measurement, optionally filtered by tag equality or a raw InfluxQL condition.
   * InfluxQL counts per field, so this is the count of the most populated field — exact when
   * every point carries that field, as points of one device type do.
   */
  async countPoints(
    measurement: string,
    where?: string | Record<string, string>,
    options: Pick<QueryOptions, 'db'> = {},
  ): Promise<number> {
    const condition =
      typeof where === 'string' ? where : where && Object.keys(where).length > 0 ? tagEquals(where) : '';
    const q = `SELECT COUNT(*) FROM ${quoteIdent(measurement)}${condition ? ` WHERE ${condition}` : ''}`;
    const rows = await this.query(q, options);
    let count = 0;
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (column.startsWith('count_') && typeof value === 'number' && value > count) count = value;
      }
    }
    return count;
  }

  /** InfluxDB 1.x only (test isolation, first-run setup); idempotent. */
  async createDatabase(name: string): Promise<void> {
    await this.post(new URLSearchParams({ q: `CREATE DATABASE ${quoteIdent(name)}` }));
  }

  /**
   * InfluxDB 1.x only; succeeds when the database does not exist. Its continuous queries go first
   * (`dropContinuousQueries`): a rollup query writing while the database was dropped left InfluxDB
   * 1.6.7 a shard without its WAL, failing a snapshot every second from then on and, minutes later,
   * holding up writes to every database until restarted.
   */
  async dropDatabase(name: string): Promise<void> {
    await this.dropContinuousQueries(name);
    await this.post(new URLSearchParams({ q: `DROP DATABASE ${quoteIdent(name)}` }));
  }

  /** InfluxDB 1.x only: drops a database's continuous queries and lets any query still running against it finish. */
  async dropContinuousQueries(database: string): Promise<void> {
    const continuous = await this.series('SHOW CONTINUOUS QUERIES', { db: database });
    const ours = continuous.find((series) => series.name === database);
    const at = ours?.columns.indexOf('name') ?? -1;
    for (const values of at < 0 ? [] : (ours?.values ?? [])) {
      const q = `DROP CONTINUOUS QUERY ${quoteIdent(String(values[at]))} ON ${quoteIdent(database)}`;
      await this.post(new URLSearchParams({ q }));
    }
    await this.queriesFinished(database, DROP_SETTLE_MS);
  }

  /** Waits (up to `maxWaitMs`) until SHOW QUERIES lists none running against `database`. */
  private async queriesFinished(database: string, maxWaitMs: number): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (let pauseMs = 10; ; pauseMs = Math.min(pauseMs * 2, 200)) {
      const running = await this.query('SHOW QUERIES', { db: database });
      if (!running.some((query) => query.database === database && !/^SHOW QUERIES/i.test(String(query.query)))) return;
      if (Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** POST, not GET: 1.x refuses CREATE/DROP over GET, and long queries do not fit a URL. */
  private async post(params: URLSearchParams): Promise<NonNullable<QueryJson['results']>> {
    const response = await this.fetch(`${this.base}/query`, {
      method: 'POST',
      headers: this.headers,
      body: params.toString(),
    });
    const text = await response.text();
    let json: QueryJson | undefined;
    try {
      json = text ? (JSON.parse(text) as QueryJson) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok || json?.error) {
      throw new InfluxQueryError(
        `InfluxQL query failed (${response.status}): ${json?.error ?? text.slice(0, 500)}`,
        response.status,
      );
    }
    const results = json?.results ?? [];
    const failed = results.find((r) => r.error);
    if (failed) throw new InfluxQueryError(`InfluxQL statement failed: ${failed.error}`, response.status);
    return results;
  }

  private async fetch(url: string, init: RequestInit): Promise<Response> {
    return fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
  }
}

/** How long a drop waits for queries still running against the database (a rollup takes milliseconds). */
const DROP_SETTLE_MS = 5000;
