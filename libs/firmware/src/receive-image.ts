import { createHash } from 'node:crypto';
import type { BlobWriter } from './blob-store.js';
import type { ImageSignatureCheck } from './signature.js';

export class ImageTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the image is larger than ${maxBytes} bytes (CP_FIRMWARE_MAX_BYTES)`);
  }
}

export interface ReceivedImage {
  size: number;
  /** Lower-case hex. */
  sha256: string;
  digest: Buffer;
}

/**
 * Streams an upload into a blob writer, hashing it (and feeding a signature check) on the way, and
 * stops at the first byte over `maxBytes`. Never holds more than one chunk. The writer is left for
 * the caller to commit or abort: the signature is judged only once the last byte is in.
 */
export async function receiveImage(
  source: AsyncIterable<Buffer>,
  writer: BlobWriter,
  options: { maxBytes: number; signature?: ImageSignatureCheck },
): Promise<ReceivedImage> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > options.maxBytes) throw new ImageTooLargeError(options.maxBytes);
    hash.update(chunk);
    options.signature?.update(chunk);
    await writer.write(chunk);
  }
  const digest = hash.digest();
  return { size, sha256: digest.toString('hex'), digest };
}
