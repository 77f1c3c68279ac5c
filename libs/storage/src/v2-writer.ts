import { InfluxTransport } from './influx-transport.js';
import type { PointWriter } from './point-writer.js';

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
  private readonly transport: InfluxTransport;
  private readonly path: string;

  constructor(options: InfluxV2WriterOptions) {
    this.transport = new InfluxTransport(options);
    const params = new URLSearchParams({ org: options.org, bucket: options.bucket, precision: 'ns' });
    this.path = `/api/v2/write?${params}`;
  }

  async write(lines: string, _lineCount: number): Promise<void> {
    await this.transport.post(this.path, lines);
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
