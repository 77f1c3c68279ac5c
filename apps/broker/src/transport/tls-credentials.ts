import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { DeviceCas } from '@citypulse/certificates';
import type { DeviceCaFile } from '@citypulse/config';
import type { Logger, Metrics } from '@citypulse/observability';

/** What the TLS and WSS listeners present and trust, read from the configured files together. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Device CAs (CP_MQTT_TLS_CA) trusted for client certificates; empty when none are configured. */
  deviceCas: DeviceCas;
}

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  deviceCas: readonly DeviceCaFile[];
}

/**
 * Polling a few files once a second costs nothing, and sees a file replaced by rename or a Kubernetes secret's symlink
 * swap, which fs.watch misses.
 */
const POLL_MS = 1000;
/** Certificate and key are rarely written in the same instant: wait for both before reloading. */
const DEBOUNCE_MS = 300;

/**
 * The broker's certificate, key and device CAs, reloaded when any of the files changes. A new
 * set is used only once it forms a working TLS context (key matches certificate, every CA
 * parses); until then the old one stays and the failure is logged and counted
 * (citypulse_mqtt_tls_reloads_total{outcome="failed"}). Listeners apply a reload with
 * `server.setSecureContext`, which affects new handshakes only: live connections stay up.
 */
export class TlsCredentials {
  private listeners: Array<(material: TlsMaterial) => void> = [];
  private timer?: NodeJS.Timeout;
  private watching = false;

  private constructor(
    private readonly files: TlsFiles,
    private material: TlsMaterial,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Reads and checks the files; at start-up a bad file is an error naming it. */
  static async load(files: TlsFiles, metrics: Metrics, logger: Logger): Promise<TlsCredentials> {
    return new TlsCredentials(files, await readMaterial(files), metrics, logger);
  }

  get current(): TlsMaterial {
    return this.material;
  }

  onReload(listener: (material: TlsMaterial) => void): void {
    this.listeners.push(listener);
  }

  watch(): void {
    if (this.watching) return;
    this.watching = true;
    for (const file of this.paths) watchFile(file, { interval: POLL_MS, persistent: false }, this.changed);
  }

  close(): void {
    clearTimeout(this.timer);
    if (this.watching) for (const file of this.paths) unwatchFile(file, this.changed);
    this.watching = false;
  }

  /** Reads the files now; resolves whether the new material was taken. */
  async reload(): Promise<boolean> {
    try {
      this.material = await readMaterial(this.files);
    } catch (err) {
      this.metrics.tlsReloads.inc({ outcome: 'failed' });
      this.logger.error(
        { err: (err as Error).message },
        'TLS certificate reload failed; still serving the previous certificate',
      );
      return false;
    }
    for (const listener of this.listeners) listener(this.material);
    this.metrics.tlsReloads.inc({ outcome: 'ok' });
    this.logger.info(
      { cert: this.files.certFile, deviceCas: this.material.deviceCas.size },
      'TLS certificate reloaded',
    );
    return true;
  }

  private get paths(): string[] {
    return [...new Set([this.files.certFile, this.files.keyFile, ...this.files.deviceCas.map((ca) => ca.file)])];
  }

  private readonly changed = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino && current.size === previous.size) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), DEBOUNCE_MS);
    this.timer.unref();
  };
}

/** Options for tls.createServer / setSecureContext from the material. */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  return {
    cert: material.cert,
    key: material.key,
    // Replaces Node's public root CAs: only the configured device CAs can verify a client certificate.
    ...(material.deviceCas.size > 0 ? { ca: material.deviceCas.pems } : {}),
    minVersion: 'TLSv1.2',
  };
}

async function readMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const read = (variable: string, file: string) =>
    readFile(file).catch((err: Error) => {
      throw new Error(`${variable} ${file}: cannot read: ${err.message}`);
    });
  const [cert, key] = await Promise.all([
    read('CP_MQTT_TLS_CERT', files.certFile),
    read('CP_MQTT_TLS_KEY', files.keyFile),
  ]);
  const deviceCas = await DeviceCas.load(files.deviceCas);
  const material = { cert, key, deviceCas };
  try {
    // Throws on a key that does not match the certificate, or PEM that does not parse.
    createSecureContext(secureContextOptions(material));
  } catch (err) {
    throw new Error(
      `CP_MQTT_TLS_CERT ${files.certFile} / CP_MQTT_TLS_KEY ${files.keyFile}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return material;
}
