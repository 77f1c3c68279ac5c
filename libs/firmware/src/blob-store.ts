import type { Readable } from 'node:stream';

/** An inclusive byte range, as HTTP Range speaks it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where image bytes live: a directory here, an S3-compatible bucket elsewhere. Writes go through
 * `create` (a temporary object) and `commit`, so a half-received or refused upload never becomes
 * an image: the catalogue adds the metadata only after `commit`.
 */
export interface FirmwareBlobStore {
  /** Starts writing the bytes of `key`; nothing is visible under `key` until `commit`. */
  create(key: string): Promise<BlobWriter>;
  /** The bytes of `key` (or a range of them); rejects with BlobNotFoundError when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deletes `key`; harmless when there is none. */
  remove(key: string): Promise<void>;
}

export interface BlobWriter {
  write(chunk: Buffer): Promise<void>;
  /** Makes the bytes written so far the content of the key. */
  commit(): Promise<void>;
  /** Throws the bytes away. */
  abort(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no firmware blob ${key}`);
  }
}
