import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { networkReason, WriteFailedError, type PointWriter } from './point-writer.js';

// zlib's async gzip runs on the libuv thread pool, keeping the event loop free while it compresses.
const gzip = promisify(gzipCallback);

export interface InfluxV1WriterOptions {
  /** Base URL, e.g. http://127.0.0.1:8086. */
  url: string;
  database: string;
  /** Retention policy; the database's default when absent. */
  retentionPolicy?: string;
  /** Sent as HTTP Basic auth (InfluxDB 1.x accepts it like `u`/`p`, and keeps it out of URLs and logs). */
  username?: string;
  password?: string;
  /** Sent as `Authorization: Token …` (the v1-compatibility /write of InfluxDB 2.x/3.x). */
  token?: string;
  /**
   * Gzip bodies longer than this many characters; 0 disables. Off by default: on loopback gzip
   * costs more CPU time than it saves transfer time (docs/storage.md has the numbers); turn it on
   * when InfluxDB is across a real network. @defaultValue 0
   */
  gzipThresholdBytes?: number;
  /** Per-request timeout. @defaultValue 30000 */
  timeoutMs?: number;
}

/**
 * InfluxDB 1.x native write API: POST /write?db=…&precision=ns. Node's fetch (undici) keeps
 * connections alive, so successive batches reuse one socket per concurrent write.
 */
export class InfluxV1Writer implements PointWriter {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly gzipThreshold: number;
  private readonly timeoutMs: number;

  constructor(options: InfluxV1WriterOptions) {
    const params = new URLSearchParams({ db: options.database, precision: 'ns' });
    if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
    this.endpoint = `${options.url.replace(/\/+$/, '')}/write?${params}`;
    this.headers = { 'content-type': 'text/plain; charset=utf-8' };
    if (options.username !== undefined) {
      const basic = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    } else if (options.token) {
      this.headers.authorization = `Token ${options.token}`;
    }
    this.gzipThreshold = options.gzipThresholdBytes ?? 0;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async write(lines: string, _lineCount: number): Promise<void> {
    let body: string | Buffer = lines;
    let headers = this.headers;
    // String length stands in for byte length: line protocol is almost all ASCII, and it is free.
    if (this.gzipThreshold > 0 && lines.length > this.gzipThreshold) {
      body = await gzip(lines);
      headers = { ...headers, 'content-encoding': 'gzip' };
    }
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new WriteFailedError({ body: networkReason(error) }, { cause: error });
    }
    // The body is read even when empty so undici can hand the socket back to the keep-alive pool.
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    throw new WriteFailedError({
      status: response.status,
      retryAfter: response.headers.get('retry-after') ?? undefined,
      body: text,
    });
  }

  async close(): Promise<void> {
    // Sockets belong to fetch's global pool, which closes idle ones itself.
  }
}
