import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { uniqueName } from '@citypulse/testing';
import { BlobNotFoundError, type BlobWriter, type FirmwareBlobStore } from './blob-store.js';

/*
 * One contract for the FirmwareBlobStore port, run against every store (the directory, an
 * S3-compatible bucket): what the upload and download routes rely on. Each test uses its own keys.
 */

export interface OpenedBlobStore {
  store: FirmwareBlobStore;
  /** Everything the backing holds (file names in the directory, object keys in the bucket), finished or not. */
  stored(): Promise<string[]>;
  close(): Promise<void>;
}

export interface BlobStoreContractTarget {
  /** For test names, e.g. "S3BlobStore → s3rver". */
  name: string;
  open(): Promise<OpenedBlobStore>;
}

/** More than one S3 multipart part (5 MiB), so part boundaries and a half-sent multipart upload are exercised. */
const LARGE_BYTES = 11 * 1024 * 1024 + 123;
const CHUNK_BYTES = 64 * 1024;

export function blobStoreContract(target: BlobStoreContractTarget): void {
  describe(`FirmwareBlobStore contract: ${target.name}`, () => {
    let opened: OpenedBlobStore;
    let store: FirmwareBlobStore;
    beforeAll(async () => {
      opened = await target.open();
      store = opened.store;
    });
    afterAll(() => opened?.close());

    const leftoversOf = async (key: string) => (await opened.stored()).filter((name) => name.includes(key));

    it('shows nothing under the key until commit, then serves the bytes whole and by inclusive range', async () => {
      const key = uniqueName('blob-');
      const image = randomBytes(3000);
      const writer = await store.create(key);
      for (let at = 0; at < image.length; at += 1000) await writer.write(image.subarray(at, at + 1000));
      await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      await writer.commit();
      expect((await readAll(await store.read(key))).equals(image)).toBe(true);
      expect((await readAll(await store.read(key, { start: 5, end: 9 }))).equals(image.subarray(5, 10))).toBe(true);
      expect((await readAll(await store.read(key, { start: 2999, end: 2999 }))).equals(image.subarray(2999))).toBe(
        true,
      );
    });

    it('streams an image of several S3 parts and reads a range across a part boundary', async () => {
      const key = uniqueName('blob-large-');
      const image = randomBytes(LARGE_BYTES);
      const writer = await store.create(key);
      await writeInChunks(writer, image);
      await writer.commit();
      expect(await sha256Of(await store.read(key))).toBe(createHash('sha256').update(image).digest('hex'));
      const boundary = 5 * 1024 * 1024;
      const across = await readAll(await store.read(key, { start: boundary - 100, end: boundary + 99 }));
      expect(across.equals(image.subarray(boundary - 100, boundary + 100))).toBe(true);
      // Only the image itself: no temporary left beside it.
      expect(await leftoversOf(key)).toEqual([expect.stringMatching(new RegExp(`(^|/)${key}$`))]);
    });

    it('keeps nothing of an upload abandoned after more than one part was sent (as a refused one is)', async () => {
      const key = uniqueName('blob-refused-');
      const writer = await store.create(key);
      await writeInChunks(writer, randomBytes(6 * 1024 * 1024));
      await writer.abort();
      await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await leftoversOf(key)).toEqual([]);
    });

    it('keeps nothing of a small upload abandoned before its end, and the key stays free for another', async () => {
      const key = uniqueName('blob-small-refused-');
      const writer = await store.create(key);
      await writer.write(randomBytes(1000));
      await writer.abort();
      await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await leftoversOf(key)).toEqual([]);
      const again = await store.create(key);
      await again.write(Buffer.from('second try'));
      await again.commit();
      expect((await readAll(await store.read(key))).toString()).toBe('second try');
    });

    it('keeps two uploads written at the same time apart', async () => {
      const [keyA, keyB] = [uniqueName('blob-a-'), uniqueName('blob-b-')];
      const [imageA, imageB] = [randomBytes(200_000), randomBytes(300_000)];
      const [writerA, writerB] = await Promise.all([store.create(keyA), store.create(keyB)]);
      await Promise.all([writeInChunks(writerA, imageA), writeInChunks(writerB, imageB)]);
      await Promise.all([writerA.commit(), writerB.commit()]);
      expect((await readAll(await store.read(keyA))).equals(imageA)).toBe(true);
      expect((await readAll(await store.read(keyB))).equals(imageB)).toBe(true);
    });

    it('removes an image; removing it again, or a key never stored, is harmless', async () => {
      const key = uniqueName('blob-removed-');
      const writer = await store.create(key);
      await writer.write(Buffer.from('bytes'));
      await writer.commit();
      await store.remove(key);
      await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await leftoversOf(key)).toEqual([]);
      await store.remove(key);
      await store.remove(uniqueName('blob-never-'));
    });

    it('refuses a key that is a path, before touching the backing', async () => {
      await expect(store.create('../escape')).rejects.toThrow(/unsafe firmware blob key/);
      await expect(store.read('a/b')).rejects.toThrow(/unsafe firmware blob key/);
      await expect(store.remove('')).rejects.toThrow(/unsafe firmware blob key/);
    });
  });
}

async function writeInChunks(writer: BlobWriter, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) await writer.write(bytes.subarray(at, at + CHUNK_BYTES));
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
