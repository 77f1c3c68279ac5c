import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const run = promisify(execFile);

/** A certificate and its key as PEM files, with what a test asserts on. */
export interface IssuedCert {
  cert: string;
  key: string;
  /** Upper-case hex, as Node's X509Certificate.serialNumber and the broker report it. */
  serial: string;
  fingerprint256: string;
}

export interface TestCa {
  name: string;
  dir: string;
  cert: string;
  key: string;
}

export interface DeviceCertOptions {
  /** Subject alternative names, e.g. ['URI:bj-001', 'DNS:bj-001.devices']. */
  san?: string[];
  /**
   * Validity as openssl dates (YYYYMMDDHHMMSSZ); default now → +1 year. An end in the past makes an expired
   * certificate.
   */
  startDate?: string;
  endDate?: string;
}

const REQ_CONFIG = `[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ self_ext ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

/**
 * A throw-away PKI made with the openssl CLI in a temp dir: a CA per city, device (client) and
 * server certificates, self-signed and expired ones. Certificates are signed with `openssl ca`,
 * which (unlike `x509 -req` in OpenSSL 3.0) takes explicit start and end dates, so an expired
 * certificate needs no fake clock. EC P-256 keys: fast to make, supported by mosquitto and Node.
 */
export class TestPki {
  private cas = 0;

  private constructor(readonly dir: string) {}

  static async create(): Promise<TestPki> {
    const dir = await mkdtemp(join(tmpdir(), 'citypulse-pki-'));
    await writeFile(join(dir, 'req.cnf'), REQ_CONFIG);
    return new TestPki(dir);
  }

  async ca(name: string): Promise<TestCa> {
    const dir = join(this.dir, `ca-${name}-${++this.cas}`);
    await mkdir(join(dir, 'newcerts'), { recursive: true });
    await writeFile(join(dir, 'index.txt'), '');
    await writeFile(
      join(dir, 'ca.cnf'),
      `[ ca ]\ndefault_ca = cadef\n[ cadef ]\ndir = ${dir}\ndatabase = $dir/index.txt\nnew_certs_dir = ` +
        `$dir/newcerts\ncertificate = $dir/ca.pem\nprivate_key = $dir/ca.key\nrand_serial = yes\ndefault_md = ` +
        `sha256\npolicy = any\nunique_subject = no\ncopy_extensions = none\ndefault_days = 365\n[ any ` +
        `]\ncommonName = supplied\n`,
    );
    const [cert, key] = [join(dir, 'ca.pem'), join(dir, 'ca.key')];
    await this.openssl(
      'req',
      '-x509',
      '-new',
      ...this.newKey(key),
      '-out',
      cert,
      '-subj',
      `/CN=${name} devices CA`,
      '-days',
      '3650',
      '-config',
      this.reqConfig,
      '-extensions',
      'ca_ext',
    );
    return { name, dir, cert, key };
  }

  /** A client certificate with subject CN `cn`, signed by `ca`. */
  async deviceCert(ca: TestCa, cn: string, options: DeviceCertOptions = {}): Promise<IssuedCert> {
    const extensions = [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      'extendedKeyUsage = clientAuth',
    ];
    if (options.san?.length) extensions.push(`subjectAltName = ${options.san.join(',')}`);
    return this.sign(ca, cn, extensions, options);
  }

  /** A server certificate for 127.0.0.1 and localhost. */
  async serverCert(ca: TestCa, cn = 'localhost'): Promise<IssuedCert> {
    return this.sign(
      ca,
      cn,
      [
        'basicConstraints = CA:FALSE',
        'keyUsage = critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage = serverAuth',
        'subjectAltName = IP:127.0.0.1,DNS:localhost',
      ],
      {},
    );
  }

  /** A self-signed client certificate (no CA). */
  async selfSigned(cn: string): Promise<IssuedCert> {
    const base = join(this.dir, `self-${cn}-${Date.now()}`);
    const [cert, key] = [`${base}.pem`, `${base}.key`];
    await this.openssl(
      'req',
      '-x509',
      '-new',
      ...this.newKey(key),
      '-out',
      cert,
      '-subj',
      `/CN=${cn}`,
      '-days',
      '365',
      '-config',
      this.reqConfig,
      '-extensions',
      'self_ext',
    );
    return issued(cert, key);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  private async sign(ca: TestCa, cn: string, extensions: string[], options: DeviceCertOptions): Promise<IssuedCert> {
    const base = join(ca.dir, `${cn}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
    const [cert, key, csr, ext] = [`${base}.pem`, `${base}.key`, `${base}.csr`, `${base}.ext`];
    await writeFile(ext, `[ ext ]\n${extensions.join('\n')}\n`);
    await this.openssl(
      'req',
      '-new',
      ...this.newKey(key),
      '-out',
      csr,
      '-subj',
      `/CN=${cn}`,
      '-config',
      this.reqConfig,
    );
    const dates = [
      ...(options.startDate ? ['-startdate', options.startDate] : []),
      ...(options.endDate ? ['-enddate', options.endDate] : []),
    ];
    await this.openssl(
      'ca',
      '-batch',
      '-notext',
      '-config',
      join(ca.dir, 'ca.cnf'),
      '-in',
      csr,
      '-out',
      cert,
      '-extfile',
      ext,
      '-extensions',
      'ext',
      ...dates,
    );
    return issued(cert, key);
  }

  private get reqConfig(): string {
    return join(this.dir, 'req.cnf');
  }

  private newKey(keyFile: string): string[] {
    return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile];
  }

  private async openssl(...args: string[]): Promise<void> {
    await run('openssl', args).catch((err: Error & { stderr?: string }) => {
      throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`);
    });
  }
}

function issued(cert: string, key: string): IssuedCert {
  const x509 = new X509Certificate(readFileSync(cert));
  return { cert, key, serial: x509.serialNumber, fingerprint256: x509.fingerprint256 };
}
