import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { FirmwareS3Config } from '@citypulse/config';
import { assertSafeBlobKey } from './blob-key.js';
import { BlobNotFoundError, type BlobWriter, type ByteRange, type FirmwareBlobStore } from './blob-store.js';

/** Where the bucket is and how to reach it (CP_FIRMWARE_S3_*), and who hears of a failed clean-up. */
export interface S3BlobStoreOptions extends FirmwareS3Config {
  /**
   * Told when throwing a refused upload away failed, so what is left in the bucket (an
   * unfinished multipart upload, an object) can be found; the upload is refused all the same.
   */
  onCleanupFailure?: (objectKey: string, err: Error) => void;
}

/**
 * S3's smallest multipart part, and so the most of one image held in memory at a time: one part
 * is gathered while none is in flight (queueSize 1), and the body's backpressure holds the request.
 */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * Images as objects in an S3-compatible bucket. An upload streams into a multipart upload of the
 * final key, which S3 makes visible only when the upload is completed: `commit` completes it,
 * `abort` aborts it, so a refused image never appears. An image smaller than one part is sent
 * as one PUT, and only once `commit` has ended the body.
 */
export class S3BlobStore implements FirmwareBlobStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint && { endpoint: options.endpoint }),
      ...(options.credentials && { credentials: options.credentials }),
      forcePathStyle: options.forcePathStyle,
      // The SDK's default CRC32 checksums on every request are refused by many S3-compatible
      // servers; the image's own SHA-256 (computed while receiving) is what devices verify.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async create(key: string): Promise<BlobWriter> {
    return new MultipartWriter(this.client, this.options.bucket, this.objectKey(key), (objectKey, err) =>
      this.options.onCleanupFailure?.(objectKey, err),
    );
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const request = {
      Bucket: this.options.bucket,
      Key: this.objectKey(key),
      ...(range && { Range: `bytes=${range.start}-${range.end}` }),
    };
    const answer = await this.client.send(new GetObjectCommand(request)).catch((err: unknown) => {
      throw isNotFound(err) ? new BlobNotFoundError(key) : err;
    });
    // In Node the SDK answers with a stream; anything else means a browser build was bundled.
    if (!(answer.Body instanceof Readable)) throw new Error(`GetObject of ${request.Key} gave no Node.js stream`);
    return answer.Body;
  }

  async remove(key: string): Promise<void> {
    // S3 answers 204 for a key that is not there: deleting twice is harmless, as the interface asks.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
  }

  /** Closes the client's kept-alive connections (Nest calls it at shutdown). */
  onApplicationShutdown(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertSafeBlobKey(key);
    return `${this.options.keyPrefix}${key}`;
  }
}

/** Why the body of an abandoned upload was destroyed: lib-storage then aborts the multipart upload. */
class UploadAbandoned extends Error {
  constructor() {
    super('firmware upload abandoned');
  }
}

class MultipartWriter implements BlobWriter {
  private readonly body = new PassThrough();
  /** Settles when lib-storage has completed (or given up and aborted) the upload. */
  private readonly finished: Promise<void>;
  private failure: Error | undefined;
  private committing = false;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly objectKey: string,
    private readonly reportCleanupFailure: (objectKey: string, err: Error) => void,
  ) {
    // lib-storage stops listening once it gives up; a later 'error' without a listener would crash the process.
    this.body.on('error', () => undefined);
    const upload = new Upload({
      client,
      params: { Bucket: bucket, Key: objectKey, Body: this.body, ContentType: 'application/octet-stream' },
      partSize: PART_BYTES,
      queueSize: 1,
    });
    this.finished = upload.done().then(() => undefined);
    this.finished.catch((err: Error) => {
      this.failure = err;
    });
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    // Waits while a part is in flight, so the request is read no faster than the bucket takes it.
    if (!this.body.write(chunk)) await Promise.race([once(this.body, 'drain'), this.finished]);
  }

  async commit(): Promise<void> {
    this.committing = true;
    this.body.end();
    await this.finished;
  }

  async abort(): Promise<void> {
    const failedAlready = this.failure !== undefined;
    this.body.destroy(new UploadAbandoned());
    const outcome = await this.finished.then(
      () => undefined,
      (err: Error) => err,
    );
    // An upload that failed on its own has had its parts aborted by lib-storage and its error
    // given to the caller; here only a failure of the abort itself is news.
    if (outcome && !(outcome instanceof UploadAbandoned) && !failedAlready)
      this.reportCleanupFailure(this.objectKey, outcome);
    // A completion whose answer was lost may still have made the object: it must not outlive the refusal.
    if (this.committing) {
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey }))
        .catch((err: Error) => this.reportCleanupFailure(this.objectKey, err));
    }
  }
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
