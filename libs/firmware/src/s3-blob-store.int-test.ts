import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3rverProcess, uniqueName, type S3Endpoint } from '@citypulse/testing';
import { blobStoreContract, readAll } from './blob-store.contract.js';
import { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';

/** Every object key in the bucket (all pages). */
async function listKeys(server: S3Endpoint, prefix = ''): Promise<string[]> {
  const client = new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  const keys: string[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: server.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
  } finally {
    client.destroy();
  }
  return keys;
}

const storeOptions = (server: S3Endpoint, extra: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions => ({
  bucket: server.bucket,
  endpoint: server.endpoint,
  region: server.region,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  forcePathStyle: true,
  keyPrefix: 'firmware/',
  ...extra,
});

// A real S3-compatible server (s3rver, its own process) speaking HTTP and checking signatures.
blobStoreContract({
  name: 'S3BlobStore → s3rver',
  async open() {
    const server = new S3rverProcess();
    const endpoint = await server.start();
    const store = new S3BlobStore(storeOptions(endpoint));
    return {
      store,
      stored: () => listKeys(endpoint),
      close: async () => {
        store.onApplicationShutdown();
        await server.stop();
      },
    };
  },
});

describe('S3BlobStore on s3rver', () => {
  const server = new S3rverProcess();
  let endpoint: S3Endpoint;
  beforeAll(async () => {
    endpoint = await server.start();
  });
  afterAll(() => server.stop());

  it('keeps every image under the key prefix, so a bucket can be shared', async () => {
    const store = new S3BlobStore(storeOptions(endpoint, { keyPrefix: 'city/images/' }));
    const key = uniqueName('prefixed-');
    const writer = await store.create(key);
    await writer.write(Buffer.from('image'));
    await writer.commit();
    expect(await listKeys(endpoint, 'city/')).toEqual([`city/images/${key}`]);
    expect((await readAll(await store.read(key))).toString()).toBe('image');
    store.onApplicationShutdown();
  });

  it('asks the bucket to abort a refused multipart upload, and reports what it could not clean up', async () => {
    const failures: Array<{ objectKey: string; err: Error }> = [];
    const store = new S3BlobStore(
      storeOptions(endpoint, { onCleanupFailure: (objectKey, err) => failures.push({ objectKey, err }) }),
    );
    // Under one part nothing reached the bucket: nothing to abort, nothing to report.
    const small = await store.create(uniqueName('small-'));
    await small.write(randomBytes(1000));
    await small.abort();
    expect(failures).toEqual([]);
    // Past one part a multipart upload exists; s3rver 3.7 implements no AbortMultipartUpload, so
    // the abort that was sent comes back refused, and is reported naming the object.
    const key = uniqueName('large-');
    const large = await store.create(key);
    for (let i = 0; i < 6; i++) await large.write(randomBytes(1024 * 1024));
    await large.abort();
    expect(failures.map((f) => ({ objectKey: f.objectKey, name: f.err.name }))).toEqual([
      { objectKey: `firmware/${key}`, name: 'MethodNotAllowed' },
    ]);
    expect(await listKeys(endpoint)).not.toContain(`firmware/${key}`);
    store.onApplicationShutdown();
  });

  it('fails a write when the bucket refuses the upload, instead of buffering on', async () => {
    const store = new S3BlobStore(storeOptions(endpoint, { bucket: 'no-such-bucket' }));
    const writer = await store.create(uniqueName('nowhere-'));
    const writing = (async () => {
      for (let i = 0; i < 20; i++) await writer.write(randomBytes(1024 * 1024));
    })();
    await expect(writing).rejects.toMatchObject({ name: 'NoSuchBucket' });
    await writer.abort();
    store.onApplicationShutdown();
  });
});
