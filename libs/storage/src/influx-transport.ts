import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpError, InfluxDB, type Transport } from '@influxdata/influxdb-client';
import { networkReason, WriteFailedError } from './point-writer.js';

export interface InfluxTransportOptions {
  url: string;
  /** Sent as `Authorization: Token …` when not empty. */
  token?: string;
  /** Gzip bodies longer than this many bytes; 0 disables. @defaultValue 0 */
  gzipThresholdBytes?: number;
  /** Per-request (socket) timeout. @defaultValue 30000 */
  timeoutMs?: number;
}

/**
 * One write request at a time through @influxdata/influxdb-client's Node transport (node:http with
 * its own keep-alive agent): the body is encoded once into a Buffer and written to the socket. Both
 * write APIs go through it; fetch (undici) cost the ingest worker about twice the CPU per write
 * (web streams, a copy of the encoded body) at 3,000 lines a request.
 */
export class InfluxTransport {
  private readonly transport: Transport;
  private readonly agent: HttpAgent;
  private readonly gzipThreshold: number | undefined;

  constructor(options: InfluxTransportOptions) {
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
    const threshold = options.gzipThresholdBytes ?? 0;
    // The transport gzips when `threshold < body length`, so "disabled" must be undefined, not 0.
    this.gzipThreshold = threshold > 0 ? threshold : undefined;
  }

  /** POSTs line protocol to `path`; resolves on 2xx, rejects with a `WriteFailedError` otherwise. */
  async post(path: string, lines: string, headers: Record<string, string> = {}): Promise<void> {
    try {
      await this.transport.request(path, lines, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
        gzipThreshold: this.gzipThreshold,
      });
    } catch (error) {
      throw toWriteFailed(error);
    }
  }

  close(): void {
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
