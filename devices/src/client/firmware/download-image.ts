import { open, stat } from 'node:fs/promises';

/** Why a download ended without the image; the updater reports these as `download_failed` or `size_mismatch`. */
export class DownloadError extends Error {
  constructor(
    readonly reason: 'download_failed' | 'size_mismatch',
    message: string,
  ) {
    super(message);
  }
}

export interface DownloadOptions {
  url: string;
  /** The command's download token, sent as `Authorization: Bearer`. */
  token: string;
  /** Expected size in bytes: more is refused at once, less after the server says it is done. */
  size: number;
  /** The image's SHA-256 (hex): sent as If-Range, so a resume never splices two different images. */
  sha256: string;
  /** File the image is written to; bytes already in it are kept and the download resumes after them. */
  path: string;
  /** Called with the bytes held so far, after every chunk. */
  onProgress?: (bytes: number) => void;
  /** Attempts in a row that bring no new byte before giving up. @defaultValue 5 */
  maxAttempts?: number;
  /** Wait before attempt n: n × this. @defaultValue 500 */
  retryDelayMs?: number;
  /** Give up on an attempt that receives nothing for this long. @defaultValue 30000 */
  idleTimeoutMs?: number;
}

/**
 * Downloads an image into `path`, resuming after a broken connection with an HTTP Range request
 * from the first byte it does not have (RFC 9110 §14). A server answering 200 instead of 206
 * starts the file over. Refusals (401 expired token, 404 deleted image) end at once; connection
 * failures are retried until `maxAttempts` attempts in a row brought nothing new.
 */
export async function downloadImage(options: DownloadOptions): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 500;
  let have = await existingBytes(options.path);
  let fruitless = 0;
  for (;;) {
    if (have > options.size)
      throw new DownloadError('size_mismatch', `received ${have} bytes; the image has ${options.size}`);
    if (have === options.size) return;
    const before = have;
    try {
      have = await attempt(options, have);
      if (have < options.size) throw new Error(`the server ended the body at ${have} of ${options.size} bytes`);
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      if (err instanceof PartialDownload) have = err.held;
      fruitless = have > before ? 1 : fruitless + 1;
      if (fruitless >= maxAttempts)
        throw new DownloadError(
          'download_failed',
          `gave up after ${maxAttempts} attempts without progress: ${(err as Error).message}`,
        );
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs * fruitless));
    }
  }
}

/**
 * One GET from byte `have`; appends what arrives and returns the bytes held (also when the body breaks off: see
 * `partial`).
 */
async function attempt(options: DownloadOptions, have: number): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (have > 0) Object.assign(headers, { range: `bytes=${have}-`, 'if-range': `"${options.sha256}"` });
  const abort = new AbortController();
  let idle = setTimeout(() => abort.abort(new Error('no data for too long')), options.idleTimeoutMs ?? 30_000);
  const file = await open(options.path, have > 0 ? 'a' : 'w');
  let held = have;
  try {
    const response = await fetch(options.url, { headers, signal: abort.signal });
    if (response.status === 200 && have > 0) {
      // The server sent the whole image (a changed image, or no range support): start over.
      await file.truncate(0);
      held = 0;
    } else if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new DownloadError('download_failed', `GET ${options.url} answered ${response.status}`);
    }
    if (!response.body) throw new Error('no body');
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      clearTimeout(idle);
      idle = setTimeout(() => abort.abort(new Error('no data for too long')), options.idleTimeoutMs ?? 30_000);
      held += chunk.length;
      if (held > options.size)
        throw new DownloadError('size_mismatch', `received more than the image's ${options.size} bytes`);
      await file.write(chunk);
      options.onProgress?.(held);
    }
    return held;
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new PartialDownload(held, err as Error);
  } finally {
    clearTimeout(idle);
    await file.close();
  }
}

async function existingBytes(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** A broken-off attempt: the bytes written before the break are kept (the file is the record). */
class PartialDownload extends Error {
  constructor(
    readonly held: number,
    cause: Error,
  ) {
    super(cause.message, { cause });
  }
}
