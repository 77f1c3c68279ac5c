import { InfluxTransport } from './influx-transport.js';
import type { PointWriter } from './point-writer.js';

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
 * InfluxDB 1.x native write API: POST /write?db=…&precision=ns, through the same keep-alive
 * transport as the v2 writer (`InfluxTransport`), so successive batches reuse one socket per
 * concurrent write.
 */
export class InfluxV1Writer implements PointWriter {
  private readonly transport: InfluxTransport;
  private readonly path: string;
  private readonly headers: Record<string, string> = {};

  constructor(options: InfluxV1WriterOptions) {
    const params = new URLSearchParams({ db: options.database, precision: 'ns' });
    if (options.retentionPolicy) params.set('rp', options.retentionPolicy);
    this.path = `/write?${params}`;
    // Basic auth rather than the transport's token when a user is named (InfluxDB 1.x takes it like
    // `u`/`p`, and it keeps the password out of URLs and logs).
    if (options.username !== undefined) {
      const basic = Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64');
      this.headers.authorization = `Basic ${basic}`;
    }
    this.transport = new InfluxTransport({
      url: options.url.replace(/\/+$/, ''),
      token: options.username === undefined ? options.token : undefined,
      gzipThresholdBytes: options.gzipThresholdBytes,
      timeoutMs: options.timeoutMs,
    });
  }

  async write(lines: string, _lineCount: number): Promise<void> {
    await this.transport.post(this.path, lines, this.headers);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
