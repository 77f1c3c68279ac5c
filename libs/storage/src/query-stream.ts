import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { InfluxQueryError, type Series } from './query-client.js';

/*
 * InfluxQL results as a stream, for reads too large to hold: `/query?chunked=true` makes InfluxDB
 * answer with one JSON object per line, each holding at most `chunk_size` rows of a series. Each
 * line is parsed alone as it arrives, and the next is read only when the caller asks for it — so
 * memory is one chunk, whatever the result's size, and a slow caller slows InfluxDB's sending
 * (TCP back-pressure) instead of queueing the result here.
 */

export interface StreamQueryOptions {
  /** Rows per chunk InfluxDB sends (its `chunk_size`). @defaultValue 5000 */
  chunkSize?: number;
  /** Stops the query (the HTTP request to InfluxDB is aborted). */
  signal?: AbortSignal;
  /** Longest wait for InfluxDB's next bytes; the whole stream may take longer. @defaultValue 30000 */
  idleTimeoutMs?: number;
  /**
   * Longest chunk line accepted. A server that ignores `chunked=true` answers with one line holding
   * the whole result: refused at this size instead of buffered. @defaultValue 64 MiB
   */
  maxChunkBytes?: number;
}

export interface StreamQueryRequest {
  /** The server's /query URL. */
  url: string;
  headers: Record<string, string>;
  /** q, db and any other /query parameters (chunked and chunk_size are added). */
  params: URLSearchParams;
}

interface ChunkJson {
  error?: string;
  results?: Array<{ error?: string; series?: Series[] }>;
}

const NEWLINE = 0x0a;

/**
 * The first statement's series, chunk by chunk, as InfluxDB sends them. Rejects (InfluxQueryError)
 * when the server refuses the query or reports an error in a later chunk, when it falls silent for
 * `idleTimeoutMs`, or when a chunk is over `maxChunkBytes`. Breaking out of the loop aborts the
 * request to InfluxDB.
 */
export async function* streamQuery(
  request: StreamQueryRequest,
  options: StreamQueryOptions = {},
): AsyncGenerator<Series[]> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 30_000;
  const maxChunkBytes = options.maxChunkBytes ?? 64 * 1024 ** 2;
  const params = new URLSearchParams(request.params);
  params.set('chunked', 'true');
  params.set('chunk_size', String(options.chunkSize ?? 5000));

  const abort = new AbortController();
  const onCallerAbort = () => abort.abort(options.signal?.reason);
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  try {
    const response = await withIdleTimeout(post(request, params.toString(), abort.signal), idleTimeoutMs, abort);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const text = await withIdleTimeout(textOf(response), idleTimeoutMs, abort);
      throw new InfluxQueryError(`InfluxQL query failed (${status}): ${errorOf(text) ?? text.slice(0, 500)}`, status);
    }
    for await (const line of lines(response, idleTimeoutMs, maxChunkBytes, abort)) {
      const json = parseChunk(line, status);
      const [result] = json.results ?? [];
      if (result?.error) throw new InfluxQueryError(`InfluxQL statement failed: ${result.error}`, status);
      if (result?.series && result.series.length > 0) yield result.series;
    }
  } finally {
    // Stops InfluxDB's sending when the caller stopped early (break, error, abort).
    options.signal?.removeEventListener('abort', onCallerAbort);
    abort.abort();
  }
}

/**
 * POST over node:http rather than fetch: the response is a Readable whose socket is paused once
 * its small buffer (16 KB) is full, until the next read — the back-pressure this stream depends on,
 * explicit rather than left to fetch's internal queue. No Accept-Encoding (fetch asks for gzip):
 * InfluxDB compressing a large result, and this process inflating it, would cost more CPU than the
 * loopback bytes it saves.
 */
function post(request: StreamQueryRequest, body: string, signal: AbortSignal): Promise<IncomingMessage> {
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      { method: 'POST', headers: { ...request.headers, 'content-length': Buffer.byteLength(body) }, signal },
      resolve,
    );
    outgoing.once('error', (error) => reject(new InfluxQueryError(`InfluxDB query request failed: ${error.message}`)));
    outgoing.end(body);
  });
}

async function textOf(response: IncomingMessage): Promise<string> {
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of response as AsyncIterable<Buffer>) {
    // An error body is short; never hold more than this of one.
    if (size < 64 * 1024) pieces.push(piece);
    size += piece.length;
  }
  return Buffer.concat(pieces).toString('utf8');
}

/** Complete lines of the body, without the newline, each as one Buffer. */
async function* lines(
  body: IncomingMessage,
  idleTimeoutMs: number,
  maxChunkBytes: number,
  abort: AbortController,
): AsyncGenerator<Buffer> {
  const reader = (body as AsyncIterable<Buffer, undefined>)[Symbol.asyncIterator]();
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for (;;) {
    const { done, value: bytes } = await withIdleTimeout(reader.next(), idleTimeoutMs, abort);
    if (done) break;
    let start = 0;
    for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, start)) {
      const piece = bytes.subarray(start, at);
      const line = pending.length === 0 ? piece : Buffer.concat([...pending, piece], pendingBytes + piece.length);
      pending = [];
      pendingBytes = 0;
      start = at + 1;
      if (line.length > 0) yield line;
    }
    if (start < bytes.length) {
      pending.push(bytes.subarray(start));
      pendingBytes += bytes.length - start;
      if (pendingBytes > maxChunkBytes) {
        throw new InfluxQueryError(
          `InfluxDB sent a result chunk over ${maxChunkBytes} bytes: the server does not seem to honour chunked=true`,
        );
      }
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

function parseChunk(line: Buffer, status: number): ChunkJson {
  let json: ChunkJson;
  try {
    json = JSON.parse(line.toString('utf8')) as ChunkJson;
  } catch {
    throw new InfluxQueryError(
      `InfluxDB sent a chunk that is not JSON: ${line.subarray(0, 200).toString('utf8')}`,
      status,
    );
  }
  if (json.error) throw new InfluxQueryError(`InfluxQL query failed: ${json.error}`, status);
  return json;
}

function errorOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as ChunkJson).error;
  } catch {
    return undefined;
  }
}

/** `pending`, or a rejection (and the request aborted) when it takes longer than `ms`. */
async function withIdleTimeout<T>(pending: Promise<T>, ms: number, abort: AbortController): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new InfluxQueryError(`InfluxDB sent nothing for ${ms} ms`);
      abort.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
