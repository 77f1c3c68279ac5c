import { FirmwareCatalogue } from '@citypulse/firmware';
import { uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { download, imageDir, randomImage, sha256, signImage, signingKey, upload } from './firmware-helpers.js';

/**
 * The firmware catalogue over real HTTP and Redis: uploads streamed to a directory with the
 * server's SHA-256, Ed25519 signatures checked, the size limit, ranged downloads, city tenancy,
 * and deletion refused while a firmware-update command still needs the image.
 */
describe('firmware catalogue', () => {
  const dir = imageDir();
  const key = signingKey(dir.dir);
  let cp: TestCitypulse;
  let base: string;
  const MAX_BYTES = 64 * 1024;

  beforeAll(async () => {
    cp = await TestCitypulse.start(
      {
        CP_FIRMWARE_DIR: `${dir.dir}/images`,
        CP_FIRMWARE_MAX_BYTES: String(MAX_BYTES),
        CP_FIRMWARE_SIGNING_PUBLIC_KEY: key.publicKeyPath,
      },
      ['api'],
    );
    base = `http://127.0.0.1:${cp.running.httpPort}`;
  });
  afterAll(async () => {
    await cp?.stop();
    dir.remove();
  });

  const query = (version: string, city = 'beijing', deviceType = 'env-sensor') => ({ deviceType, version, city });

  it('stores an upload with the SHA-256 it computed, lists it and serves it back whole', async () => {
    const image = randomImage(20_000);
    const { status, body } = await upload(cp, { ...query('1.0.0'), notes: 'first' }, image);
    expect(status).toBe(201);
    expect(body).toMatchObject({
      deviceType: 'env-sensor',
      version: '1.0.0',
      city: 'beijing',
      size: 20_000,
      sha256: sha256(image),
      signed: false,
      notes: 'first',
      uploadedBy: 'admin',
    });
    const listed = await cp.api('GET', '/firmware?deviceType=env-sensor&version=1.0.0');
    expect(listed.body.items).toEqual([body]);
    const fetched = await download(`${base}/firmware/${body.id}/download`, cp.config.http.adminToken);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('accept-ranges')).toBe('bytes');
    expect(fetched.headers.get('etag')).toBe(`"${sha256(image)}"`);
    expect(fetched.bytes.equals(image)).toBe(true);
    const audit = await cp.api('GET', `/audit?target=firmware:${body.id}`);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'firmware.upload', actor: 'admin' })]);
  });

  it('serves byte ranges so a device can resume, and answers 416 past the end', async () => {
    const image = randomImage(10_000);
    const { body } = await upload(cp, query('1.0.1'), image);
    const url = `${base}/firmware/${body.id}/download`;
    const tail = await download(url, cp.config.http.adminToken, { range: 'bytes=4000-' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 4000-9999/10000');
    expect(tail.bytes.equals(image.subarray(4000))).toBe(true);
    const middle = await download(url, cp.config.http.adminToken, { range: 'bytes=10-19' });
    expect(middle.bytes.equals(image.subarray(10, 20))).toBe(true);
    const stale = await download(url, cp.config.http.adminToken, {
      range: 'bytes=4000-',
      'if-range': '"another-image"',
    });
    expect(stale.status).toBe(200);
    const beyond = await download(url, cp.config.http.adminToken, { range: 'bytes=10000-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */10000');
  });

  it('accepts an image whose Ed25519 signature verifies and refuses a wrong one, keeping nothing', async () => {
    const image = randomImage(5000);
    const signed = await upload(cp, query('2.0.0'), image, {
      'x-firmware-signature': signImage(image, key.privateKey),
    });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ signed: true, signature: signImage(image, key.privateKey) });

    const tampered = Buffer.from(image);
    tampered[100] ^= 0xff;
    const refused = await upload(cp, query('2.0.1'), tampered, {
      'x-firmware-signature': signImage(image, key.privateKey),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([expect.objectContaining({ field: 'signature' })]);
    const garbage = await upload(cp, query('2.0.1'), image, { 'x-firmware-signature': 'not base64 at all!' });
    expect(garbage.body.fields).toEqual([expect.objectContaining({ field: 'signature' })]);
    expect((await cp.api('GET', '/firmware?version=2.0.1')).body.items).toEqual([]);
  });

  it('refuses an image over the size limit, whether declared or streamed without a length, and keeps nothing', async () => {
    const tooBig = randomImage(MAX_BYTES + 1);
    const declared = await upload(cp, query('3.0.0'), tooBig);
    expect(declared.status).toBe(413);
    expect(declared.body.fields).toEqual([expect.objectContaining({ field: 'body' })]);
    // Chunked: the limit is found while streaming.
    const streamed = await fetch(`${base}/firmware?${new URLSearchParams(query('3.0.0'))}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cp.config.http.adminToken}`, 'content-type': 'application/octet-stream' },
      body: new Blob([tooBig]).stream(),
      duplex: 'half',
    }).catch((err: Error) => err);
    if (!(streamed instanceof Error)) expect(streamed.status).toBe(413);
    expect((await cp.api('GET', '/firmware?version=3.0.0')).body.items).toEqual([]);
    const empty = await upload(cp, query('3.0.1'), Buffer.alloc(0));
    expect(empty.status).toBe(400);
  });

  it('names the bad field of an upload and refuses a second image of one version', async () => {
    const bad = await upload(cp, { deviceType: 'toaster', version: 'v 1', city: 'Beijing' }, randomImage(10));
    expect(bad.status).toBe(400);
    expect(bad.body.fields.map((f: { field: string }) => f.field).sort()).toEqual(['city', 'deviceType', 'version']);
    await upload(cp, query('4.0.0'), randomImage(10));
    const again = await upload(cp, query('4.0.0'), randomImage(10));
    expect(again.status).toBe(409);
  });

  it('keeps each city’s images to its tokens: another city’s image is 404 to read, download and delete', async () => {
    const image = randomImage(100);
    const { body: tianjin } = await upload(cp, query('5.0.0', 'tianjin'), image);
    const beijingAdmin = await cp.issueToken(uniqueName('bj-fw-'), 'admin', ['beijing']);
    expect((await cp.api('GET', `/firmware/${tianjin.id}`, undefined, beijingAdmin)).status).toBe(404);
    expect((await download(`${base}/firmware/${tianjin.id}/download`, beijingAdmin)).status).toBe(404);
    expect((await cp.api('DELETE', `/firmware/${tianjin.id}`, undefined, beijingAdmin)).status).toBe(404);
    expect(
      (await cp.api('GET', '/firmware', undefined, beijingAdmin)).body.items.map((i: { city: string }) => i.city),
    ).not.toContain('tianjin');
    const refused = await upload(cp, query('5.0.1', 'tianjin'), image, {}, beijingAdmin);
    expect(refused.status).toBe(403);
    expect(refused.body.fields).toEqual([expect.objectContaining({ field: 'city' })]);
    expect((await download(`${base}/firmware/${tianjin.id}/download`, 'not-a-token')).status).toBe(401);
  });

  it('refuses to delete an image a firmware-update command still uses, and deletes it once unused', async () => {
    const image = randomImage(300);
    const { body } = await upload(cp, query('6.0.0'), image);
    const deviceId = uniqueName('bj-fw-dev-');
    await cp.provision({ id: deviceId, type: 'env-sensor', city: 'beijing', site: 'bj-site-1' });
    const sent = await cp.api('POST', `/devices/${deviceId}/commands`, {
      name: 'firmware-update',
      params: { imageId: body.id },
      timeoutS: 60,
    });
    expect(sent.status).toBe(201);
    expect(sent.body.params).toMatchObject({
      version: '6.0.0',
      size: 300,
      sha256: sha256(image),
      url: `${base}/firmware/${body.id}/download`,
      token: expect.stringMatching(/^fwt1\./),
    });

    // The command's token opens this image for this device, and no other image.
    const token = sent.body.params.token as string;
    expect((await download(sent.body.params.url, token)).bytes.equals(image)).toBe(true);
    const { body: other } = await upload(cp, query('6.0.1'), randomImage(10));
    expect((await download(`${base}/firmware/${other.id}/download`, token)).status).toBe(401);

    const refused = await cp.api('DELETE', `/firmware/${body.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.inUseBy).toEqual([`command:${sent.body.id}`]);
    expect((await cp.api('GET', `/firmware/${body.id}`)).body.inUseBy).toEqual([`command:${sent.body.id}`]);

    const catalogue = cp.running.app.get(FirmwareCatalogue);
    await catalogue.release(body.id, `command:${sent.body.id}`);
    expect((await cp.api('DELETE', `/firmware/${body.id}`)).status).toBe(204);
    expect((await cp.api('GET', `/firmware/${body.id}`)).status).toBe(404);
    expect((await download(sent.body.params.url, token)).status).toBe(401);
    const audit = await cp.api('GET', `/audit?target=firmware:${body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['firmware.delete', 'firmware.upload']);
  });

  it('refuses a firmware-update naming an image of another type or city, naming params.imageId', async () => {
    const { body: lift } = await upload(cp, query('7.0.0', 'beijing', 'lift'), randomImage(10));
    const deviceId = uniqueName('bj-fw-dev-');
    await cp.provision({ id: deviceId, type: 'env-sensor', city: 'beijing', site: 'bj-site-1' });
    const wrongType = await cp.api('POST', `/devices/${deviceId}/commands`, {
      name: 'firmware-update',
      params: { imageId: lift.id },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.fields).toEqual([expect.objectContaining({ field: 'params.imageId' })]);
    const missing = await cp.api('POST', `/devices/${deviceId}/commands`, { name: 'firmware-update', params: {} });
    expect(missing.body.fields).toEqual([expect.objectContaining({ field: 'params.imageId' })]);
  });
});

/**
 * The stricter settings: CP_FIRMWARE_REQUIRE_SIGNATURE=true, and download tokens at the shortest
 * lifetime the configuration allows (10 s), to see one expire over real HTTP.
 */
describe('firmware catalogue requiring signatures, with short-lived download tokens', () => {
  const dir = imageDir();
  const key = signingKey(dir.dir);
  let cp: TestCitypulse;
  const TTL_S = 10;

  beforeAll(async () => {
    cp = await TestCitypulse.start(
      {
        CP_FIRMWARE_DIR: `${dir.dir}/images`,
        CP_FIRMWARE_SIGNING_PUBLIC_KEY: key.publicKeyPath,
        CP_FIRMWARE_REQUIRE_SIGNATURE: 'true',
        CP_FIRMWARE_TOKEN_TTL_S: String(TTL_S),
      },
      ['api'],
    );
  });
  afterAll(async () => {
    await cp?.stop();
    dir.remove();
  });

  const query = (version: string) => ({ deviceType: 'env-sensor', version, city: 'beijing' });
  /** The expiry (epoch s) a download token carries in its claims. */
  const expiryOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { e: number }).e;

  it('refuses an unsigned image, keeping nothing, and accepts a signed one', async () => {
    const image = randomImage(2000);
    const unsigned = await upload(cp, query('1.0.0'), image);
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.fields).toEqual([expect.objectContaining({ field: 'signature' })]);
    expect((await cp.api('GET', '/firmware?version=1.0.0')).body.items).toEqual([]);
    const signed = await upload(cp, query('1.0.0'), image, {
      'x-firmware-signature': signImage(image, key.privateKey),
    });
    expect(signed.status).toBe(201);
    expect(signed.body).toMatchObject({ signed: true, sha256: sha256(image) });
  });

  it('issues download tokens valid for CP_FIRMWARE_TOKEN_TTL_S or to a later deadline, refused once expired or the device is revoked', async () => {
    const image = randomImage(500);
    const { body } = await upload(cp, query('2.0.0'), image, {
      'x-firmware-signature': signImage(image, key.privateKey),
    });
    const [shortLived, longLived] = [uniqueName('bj-fw-ttl-'), uniqueName('bj-fw-ttl-')];
    for (const id of [shortLived, longLived])
      await cp.provision({ id, type: 'env-sensor', city: 'beijing', site: 'bj-site-1' });
    const send = async (deviceId: string, timeoutS: number) => {
      const before = Date.now();
      const sent = await cp.api('POST', `/devices/${deviceId}/commands`, {
        name: 'firmware-update',
        params: { imageId: body.id },
        timeoutS,
      });
      expect(sent.status).toBe(201);
      return {
        token: sent.body.params.token as string,
        url: sent.body.params.url as string,
        before,
        after: Date.now(),
      };
    };

    // A 1 s command: the token still lasts the TTL (10 s), and not a second more.
    const short = await send(shortLived, 1);
    const expiry = expiryOf(short.token);
    expect(expiry).toBeGreaterThanOrEqual(Math.ceil((short.before + TTL_S * 1000) / 1000));
    expect(expiry).toBeLessThanOrEqual(Math.ceil((short.after + TTL_S * 1000) / 1000));
    expect((await download(short.url, short.token)).bytes.equals(image)).toBe(true);
    const refusedAt = await waitFor(
      async () => ((await download(short.url, short.token)).status === 401 ? Date.now() : undefined),
      (at) => at !== undefined,
      { what: 'the download token to expire', timeoutMs: (TTL_S + 20) * 1000, intervalMs: 250 },
    );
    expect(refusedAt).toBeGreaterThanOrEqual(expiry * 1000);

    // A command with a deadline beyond the TTL: its token lasts to the deadline, until the device is revoked.
    const long = await send(longLived, 120);
    expect(expiryOf(long.token)).toBeGreaterThanOrEqual(Math.ceil((long.before + 120_000) / 1000));
    expect((await download(long.url, long.token)).status).toBe(200);
    expect((await cp.api('POST', `/devices/${longLived}/revoke`)).status).toBe(200);
    expect((await download(long.url, long.token)).status).toBe(401);
  }, 60_000);
});
