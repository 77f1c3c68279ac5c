import { detectInfluxApi, type InfluxApi } from './detect.js';
import { networkReason, WriteFailedError, type PointWriter } from './point-writer.js';
import { InfluxV1Writer } from './v1-writer.js';
import { InfluxV2Writer } from './v2-writer.js';

export interface PointWriterOptions {
  url: string;
  /** 'auto' asks /ping on the first write. @defaultValue 'auto' */
  api?: InfluxApi | 'auto';
  /** v1 database. */
  database: string;
  /** v1 retention policy; the database default when absent. */
  retentionPolicy?: string;
  /** v2 organisation and bucket. */
  org: string;
  bucket: string;
  /** v2 token, or "user:password" for a 1.x server with auth. Empty for an open server. */
  token?: string;
  /** Gzip bodies above this many characters; 0 disables. @defaultValue 0 */
  gzipThresholdBytes?: number;
  /** Per-request timeout. @defaultValue 30000 */
  timeoutMs?: number;
}

/** Builds the writer for a known API. */
export function createWriterFor(api: InfluxApi, o: PointWriterOptions): PointWriter {
  const common = { url: o.url, gzipThresholdBytes: o.gzipThresholdBytes, timeoutMs: o.timeoutMs };
  if (api === 'v2') return new InfluxV2Writer({ ...common, org: o.org, bucket: o.bucket, token: o.token });
  const token = o.token ?? '';
  const colon = token.indexOf(':');
  const auth =
    colon >= 0 ? { username: token.slice(0, colon), password: token.slice(colon + 1) } : { token: token || undefined };
  return new InfluxV1Writer({ ...common, ...auth, database: o.database, retentionPolicy: o.retentionPolicy });
}

/**
 * The configured writer. With 'auto' the server is asked on the first write, not here: a worker
 * that starts while InfluxDB is down must keep its data pending and retry, not crash at boot, so
 * a failed detection surfaces as a retryable write failure.
 */
export function createPointWriter(options: PointWriterOptions): PointWriter {
  const api = options.api ?? 'auto';
  return api === 'auto' ? new DetectingWriter(options) : createWriterFor(api, options);
}

class DetectingWriter implements PointWriter {
  private writer?: Promise<PointWriter>;

  constructor(private readonly options: PointWriterOptions) {}

  async write(lines: string, lineCount: number): Promise<void> {
    this.writer ??= detectInfluxApi(this.options.url, {
      token: this.options.token,
      timeoutMs: this.options.timeoutMs,
    }).then(
      (api) => createWriterFor(api, this.options),
      (error: unknown) => {
        this.writer = undefined; // ask again on the next attempt
        throw new WriteFailedError({ body: `detecting the InfluxDB API: ${networkReason(error)}` }, { cause: error });
      },
    );
    return (await this.writer).write(lines, lineCount);
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    await writer?.then(
      (w) => w.close(),
      () => undefined,
    );
  }
}
