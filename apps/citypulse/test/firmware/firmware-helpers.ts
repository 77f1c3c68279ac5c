import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestCitypulse } from '../harness.js';

/** A temporary directory for one suite's images, and its removal. */
export function imageDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'cp-firmware-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An Ed25519 key pair whose public half is written as PEM into `dir` (CP_FIRMWARE_SIGNING_PUBLIC_KEY). */
export function signingKey(dir: string): { publicKeyPath: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyPath = join(dir, 'signing-key.pub.pem');
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
  return { publicKeyPath, privateKey };
}

/** The detached Ed25519 signature of an image as citypulse checks it: over the image's SHA-256 digest. */
export function signImage(image: Buffer, privateKey: KeyObject): string {
  return sign(null, createHash('sha256').update(image).digest(), privateKey).toString('base64');
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
export const randomImage = (size: number) => randomBytes(size);

export interface UploadResult {
  status: number;
  body: any;
}

/**
 * POST /firmware with the image as the raw body, over node:http rather than fetch: a refusal
 * before the body is read (413) is answered while the client may still be sending, and node:http
 * reads that answer instead of failing on the closed socket.
 */
export function upload(
  cp: TestCitypulse,
  query: Record<string, string>,
  image: Buffer,
  headers: Record<string, string> = {},
  token = cp.config.http.adminToken,
): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: cp.running.httpPort,
        method: 'POST',
        path: `/firmware?${new URLSearchParams(query)}`,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/octet-stream',
          'content-length': String(image.length),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
        });
      },
    );
    req.on('error', (err) => reject(err));
    req.end(image);
  });
}

/** GET a URL with a bearer token (and an optional Range), returning status, headers and body bytes. */
export async function download(
  url: string,
  token: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}
