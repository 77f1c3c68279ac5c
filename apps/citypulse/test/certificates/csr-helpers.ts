import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A device's key and CSR made by openssl (EC P-256), with a subject the API must ignore. */
export async function makeCsr(
  dir: string,
  name: string,
  subject = '/CN=someone-else',
): Promise<{ key: string; csr: string; csrPem: string }> {
  const [key, csr] = [join(dir, `${name}.key`), join(dir, `${name}.csr`)];
  await run('openssl', [
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  return { key, csr, csrPem: await readFile(csr, 'utf8') };
}

/** The CSR with one bit of its signature flipped: well-formed, but its signature no longer verifies. */
export function tamperedCsr(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 8] ^= 0x01;
  const body = der
    .toString('base64')
    .match(/.{1,64}/g)!
    .join('\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** `openssl verify -CAfile ca cert`: true when the certificate chains to the CA. */
export async function opensslVerifies(caFile: string, certFile: string): Promise<boolean> {
  try {
    await run('openssl', ['verify', '-CAfile', caFile, certFile]);
    return true;
  } catch {
    return false;
  }
}
