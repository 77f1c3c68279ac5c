import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { S3rverProcess, type S3Endpoint } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { download, imageDir, randomImage, sha256, upload } from './firmware-helpers.js';

/**
 * The firmware routes with CP_FIRMWARE_S3_BUCKET set: images go to a real S3-compatible server
 * (s3rver, its own process), not to CP_FIRMWARE_DIR. An image of two multipart parts is uploaded,
 * downloaded whole and by a range across the parts, and deleted; a refused one leaves nothing.
 */
describe('firmware catalogue on an S3-compatible store', () => {
  const s3 = new S3rverProcess('citypulse-firmware');
  const dir = imageDir();
  const MAX_BYTES = 8 * 1024 * 1024;
  let server: S3Endpoint;
  let bucket: S3Client;
  let cp: TestCitypulse;
  let base: string;

  beforeAll(async () => {
    server = await s3.start();
    bucket = new S3Client({
      endpoint: server.endpoint,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    });
    cp = await TestCitypulse.start(
      {
        CP_FIRMWARE_DIR: join(dir.dir, 'images'),
        CP_FIRMWARE_MAX_BYTES: String(MAX_BYTES),
        CP_FIRMWARE_S3_BUCKET: server.bucket,
        CP_FIRMWARE_S3_ENDPOINT: server.endpoint,
        CP_FIRMWARE_S3_ACCESS_KEY_ID: server.accessKeyId,
        CP_FIRMWARE_S3_SECRET_ACCESS_KEY: server.secretAccessKey,
        CP_FIRMWARE_S3_KEY_PREFIX: 'images/',
      },
      ['api'],
    );
    base = `http://127.0.0.1:${cp.running.httpPort}`;
  });
  afterAll(async () => {
    await cp?.stop();
    bucket?.destroy();
    await s3.stop();
    dir.remove();
  });

  const objectKeys = async () =>
    ((await bucket.send(new ListObjectsV2Command({ Bucket: server.bucket }))).Contents ?? []).map((o) => o.Key);
  const query = (version: string) => ({ deviceType: 'env-sensor', version, city: 'beijing' });

  it('stores an upload in the bucket, serves it whole and by a range across its parts, and deletes it', async () => {
    const image = randomImage(6 * 1024 * 1024 + 1000);
    const { status, body } = await upload(cp, query('1.0.0'), image);
    expect(status).toBe(201);
    expect(body).toMatchObject({ size: image.length, sha256: sha256(image) });
    expect(await objectKeys()).toEqual([`images/${body.id}`]);
    expect(existsSync(join(dir.dir, 'images'))).toBe(false);

    const url = `${base}/firmware/${body.id}/download`;
    const whole = await download(url, cp.config.http.adminToken);
    expect(whole.status).toBe(200);
    expect(sha256(whole.bytes)).toBe(sha256(image));
    const boundary = 5 * 1024 * 1024;
    const resumed = await download(url, cp.config.http.adminToken, { range: `bytes=${boundary - 10}-` });
    expect(resumed.status).toBe(206);
    expect(resumed.headers.get('content-range')).toBe(`bytes ${boundary - 10}-${image.length - 1}/${image.length}`);
    expect(resumed.bytes.equals(image.subarray(boundary - 10))).toBe(true);

    expect((await cp.api('DELETE', `/firmware/${body.id}`)).status).toBe(204);
    expect(await objectKeys()).toEqual([]);
    expect((await download(url, cp.config.http.adminToken)).status).toBe(404);
  });

  it('keeps nothing of an upload refused mid-stream after a part reached the bucket', async () => {
    // Chunked, no Content-Length: the limit is found at the first byte over, past the first 5 MiB part.
    const refused = await fetch(`${base}/firmware?${new URLSearchParams(query('2.0.0'))}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cp.config.http.adminToken}`, 'content-type': 'application/octet-stream' },
      body: new Blob([randomImage(MAX_BYTES + 1)]).stream(),
      duplex: 'half',
    }).catch((err: Error) => err);
    if (!(refused instanceof Error)) expect(refused.status).toBe(413);
    expect((await cp.api('GET', '/firmware?version=2.0.0')).body.items).toEqual([]);
    expect(await objectKeys()).toEqual([]);
  });
});
