import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import type { CaptureHeader, CaptureLine } from './capture-format.js';

export interface CaptureSummary {
  path: string;
  /** Publishes written (lines after the header). */
  lines: number;
  /** SHA-256 of the uncompressed NDJSON: equal traffic has equal hashes, whatever zlib's version. */
  sha256: string;
  uncompressedBytes: number;
}

/** Writes a capture as gzip NDJSON, hashing the uncompressed bytes as they go. */
export class CaptureWriter {
  private readonly hash: Hash = createHash('sha256');
  private lines = 0;
  private bytes = 0;
  /** Lines are gathered into chunks: one gzip write per line costs more than the compression. */
  private chunk: string[] = [];
  private chunkLength = 0;

  private constructor(
    private readonly path: string,
    private readonly gzip: Gzip,
    private readonly file: WriteStream,
  ) {}

  static async open(path: string, header: CaptureHeader): Promise<CaptureWriter> {
    const gzip = createGzip();
    const file = createWriteStream(path);
    gzip.pipe(file);
    const writer = new CaptureWriter(path, gzip, file);
    await writer.writeText(JSON.stringify(header));
    return writer;
  }

  async write(line: CaptureLine): Promise<void> {
    await this.writeText(JSON.stringify(line));
    this.lines++;
  }

  private async writeText(json: string): Promise<void> {
    const text = `${json}\n`;
    this.hash.update(text);
    this.bytes += Buffer.byteLength(text);
    this.chunk.push(text);
    this.chunkLength += text.length;
    if (this.chunkLength >= 65_536) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.chunk.join('');
    this.chunk = [];
    this.chunkLength = 0;
    if (text && !this.gzip.write(text)) await once(this.gzip, 'drain');
  }

  async close(): Promise<CaptureSummary> {
    await this.flush();
    const finished = once(this.file, 'finish');
    this.gzip.end();
    await finished;
    return { path: this.path, lines: this.lines, sha256: this.hash.digest('hex'), uncompressedBytes: this.bytes };
  }
}
