import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseHeader, type CaptureHeader, type CaptureLine } from './capture-format.js';

async function* textLines(path: string): AsyncGenerator<string> {
  const file = createReadStream(path);
  const input = file.pipe(createGunzip());
  // pipe() does not pass the file's errors on: a missing file would be an unhandled 'error' event.
  file.once('error', (err) => input.destroy(err));
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.length > 0) yield line;
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The header of a capture, reading only its first line. */
export async function readCaptureHeader(path: string): Promise<CaptureHeader> {
  for await (const line of textLines(path)) return parseHeader(line);
  throw new Error(`${path} is empty`);
}

/** The publishes of a capture, in order, streamed (captures can hold millions of lines). */
export async function* readCaptureLines(path: string): AsyncGenerator<CaptureLine> {
  let first = true;
  for await (const line of textLines(path)) {
    if (first) {
      parseHeader(line);
      first = false;
      continue;
    }
    yield JSON.parse(line) as CaptureLine;
  }
}

/** SHA-256 of a capture's uncompressed content, as `CaptureWriter` reports it. */
export async function captureSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const line of textLines(path)) hash.update(`${line}\n`);
  return hash.digest('hex');
}

/** How many publishes a capture holds (a quick pass over the file, for a progress bar's total). */
export async function countCaptureLines(path: string): Promise<number> {
  let count = -1; // the header
  for await (const _line of textLines(path)) count++;
  return Math.max(0, count);
}
