import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpError, InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { networkReason, WriteFailedError, type PointWriter } from './point-writer.js';

export interface InfluxV2WriterOptions {
  /** Base URL, e.g. http://127.0.0.1:8086 (InfluxDB 2.x/3.x/1.8+) or a VictoriaMetrics URL. */
  url: string;
  org: string;
  bucket: string;
  /** API token; InfluxDB 1.8's v2 API takes "user:password" here. Empty for an open server. */
  token?: string;
  /** Gzip bodies longer than this many characters; 0 disables. @defaultValue 0 */
  gzipThresholdBytes?: number;
  /** Per-request (socket) timeout. @defaultValue 30000 */
  timeoutMs?: number;
}

/**
 * The v2 write API (/api/v2/write) through @influxdata/influxdb-client's transport.
 * The client's WriteApi is bypassed on purpose: it buffers, retries and logs on its own, while
 * here one call is exactly one HTTP request and ResilientWriter owns retries (so a batch stays
 * pending in the hand-off stream until it is really stored).
 */
export class InfluxV2Writer implements PointWriter {
  private readonly transport: Transport;
  private readonly path: string;
  private readonly gzipThreshold: number | undefined;
  private readonly agent: HttpAgent;

  constructor(options: InfluxV2WriterOptions) {
    const https = options.url.startsWith('https:');
    // An own keep-alive agent: batches reuse sockets, and close() can release them.
    this.agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    const client = new InfluxDB({
      url: options.url,
      token: options.token || undefined,
      timeout: options.timeoutMs ?? 30_000,
      transportOptions: { agent: this.agent },
    });
    this.transport = client.transport;
    const params = new URLSearchParams({ org: options.org, bucket: options.bucket, precision: 'ns' });
    this.path = `/api/v2/write?${params}`;
    const threshold = options.gzipThresholdBytes ?? 0;
    // The transport gzips when `threshold < body length`, so "disabled" must be undefined, not 0.
    this.gzipThreshold = threshold > 0 ? threshold : undefined;
  }

  async write(lines: string, _lineCount: number): Promise<void> {
    try {
      await this.transport.request(this.path, lines, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: this.gzipThreshold,
      });
    } catch (error) {
      throw toWriteFailed(error);
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

function toWriteFailed(error: unknown): WriteFailedError {
  if (error instanceof HttpError) {
    const retryAfter = error.headers?.['retry-after'];
    return new WriteFailedError(
      {
        status: error.statusCode,
        retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
        body: error.body ?? error.message,
      },
      { cause: error },
    );
  }
  return new WriteFailedError({ body: networkReason(error) }, { cause: error });
}
