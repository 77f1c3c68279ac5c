import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { assertSafeBlobKey } from './blob-key.js';
import { BlobNotFoundError, type BlobWriter, type ByteRange, type FirmwareBlobStore } from './blob-store.js';

/**
 * Images as files in one directory: written to `<key>.part`, renamed to `<key>` on commit (a
 * rename within a directory is atomic, so a reader never sees half an image).
 */
export class DirectoryBlobStore implements FirmwareBlobStore {
  constructor(private readonly dir: string) {}

  async create(key: string): Promise<BlobWriter> {
    const path = this.path(key);
    await mkdir(this.dir, { recursive: true });
    const partial = `${path}.${process.pid}.${Date.now()}.part`;
    const file = await open(partial, 'wx');
    return new FileWriter(file, partial, path);
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.path(key);
    // stat first: createReadStream reports a missing file only as a later stream error.
    await stat(path).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new BlobNotFoundError(key) : err;
    });
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  private path(key: string): string {
    assertSafeBlobKey(key);
    return join(this.dir, key);
  }
}

class FileWriter implements BlobWriter {
  constructor(
    private readonly file: FileHandle,
    private readonly partial: string,
    private readonly final: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    await this.file.write(chunk);
  }

  async commit(): Promise<void> {
    await this.file.sync();
    await this.file.close();
    await rename(this.partial, this.final);
  }

  async abort(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await rm(this.partial, { force: true });
  }
}
