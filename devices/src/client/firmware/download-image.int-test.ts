import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DownloadError, downloadImage } from './download-image.js';

const IMAGE = randomBytes(100_000);
const SHA = createHash('sha256').update(IMAGE).digest('hex');

/**
 * downloadImage against a real HTTP server whose behaviour each test sets: answers, breaks the
 * socket mid-body, or refuses.
 */
describe('downloadImage', () => {
  let server: Server;
  let url: string;
  let handle: (req: IncomingMessage, res: ServerResponse) => void;
  const ranges: Array<string | undefined> = [];
  const dir = mkdtempSync(join(tmpdir(), 'cp-download-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      ranges.push(req.headers.range);
      handle(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/image`;
  });
  beforeEach(() => (ranges.length = 0));
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Serves IMAGE honouring `bytes=N-`; `cutAt`: destroys the socket once the body reaches that byte. */
  const serve = (cutAt?: number) => (req: IncomingMessage, res: ServerResponse) => {
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-length': IMAGE.length - start,
      ...(start > 0 && { 'content-range': `bytes ${start}-${IMAGE.length - 1}/${IMAGE.length}` }),
    });
    if (cutAt === undefined || cutAt <= start) return res.end(IMAGE.subarray(start));
    res.write(IMAGE.subarray(start, cutAt), () => res.socket?.destroy());
  };
  const options = (name: string) => ({
    url,
    token: 't',
    size: IMAGE.length,
    sha256: SHA,
    path: join(dir, name),
    retryDelayMs: 10,
  });

  it('resumes with Range from the byte where the server broke the connection', async () => {
    let first = true;
    handle = (req, res) => {
      serve(first ? 30_000 : undefined)(req, res);
      first = false;
    };
    const progress: number[] = [];
    await downloadImage({ ...options('resume.img'), onProgress: (b) => progress.push(b) });
    expect(readFileSync(join(dir, 'resume.img')).equals(IMAGE)).toBe(true);
    expect(ranges).toEqual([undefined, 'bytes=30000-']);
    expect(progress.at(-1)).toBe(IMAGE.length);
  });

  it('starts over when the server answers a resume with the whole image (200)', async () => {
    let calls = 0;
    handle = (req, res) => {
      calls++;
      if (calls === 1) return serve(20_000)(req, res);
      res.writeHead(200, { 'content-length': IMAGE.length }).end(IMAGE);
    };
    await downloadImage(options('restart.img'));
    expect(ranges).toEqual([undefined, 'bytes=20000-']);
    expect(readFileSync(join(dir, 'restart.img')).equals(IMAGE)).toBe(true);
  });

  it('gives up at once on a refusal, and after attempts without progress', async () => {
    handle = (_req, res) => res.writeHead(401).end();
    await expect(downloadImage(options('refused.img'))).rejects.toMatchObject({
      reason: 'download_failed',
      message: expect.stringContaining('401'),
    });
    expect(ranges).toHaveLength(1);
    handle = (_req, res) => res.socket?.destroy();
    await expect(downloadImage({ ...options('dead.img'), maxAttempts: 3 })).rejects.toBeInstanceOf(DownloadError);
    expect(ranges).toHaveLength(4);
  });

  it('refuses more bytes than the image has', async () => {
    handle = (_req, res) => res.writeHead(200).end(Buffer.concat([IMAGE, Buffer.alloc(10)]));
    await expect(downloadImage(options('long.img'))).rejects.toMatchObject({ reason: 'size_mismatch' });
  });
});
