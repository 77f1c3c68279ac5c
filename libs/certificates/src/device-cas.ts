import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/** One configured CA file (CP_MQTT_TLS_CA): of one city, or (city null) of every city. */
export interface DeviceCaSource {
  city: string | null;
  file: string;
}

/** A CA certificate and the city whose devices it vouches for (null: every city). */
export interface DeviceCa {
  city: string | null;
  certificate: X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The device CAs of CP_MQTT_TLS_CA, parsed: what the TLS listener trusts for client certificates
 * (`pems`) and, once OpenSSL has verified a chain, which city's CA issued it (`issuerOf`). A file
 * may hold several CA certificates (a rollover: old and new CA side by side).
 */
export class DeviceCas {
  private constructor(readonly cas: readonly DeviceCa[]) {}

  static readonly none = new DeviceCas([]);

  /** Reads and checks every file; an error names the file (and city) that is wrong. */
  static async load(sources: readonly DeviceCaSource[]): Promise<DeviceCas> {
    const cas: DeviceCa[] = [];
    for (const source of sources) {
      const where = `CP_MQTT_TLS_CA ${source.city ? `(${source.city}) ` : ''}${source.file}`;
      const text = await readFile(source.file, 'utf8').catch((err: Error) => {
        throw new Error(`${where}: cannot read: ${err.message}`);
      });
      cas.push(...DeviceCas.parse(text, where).map((certificate) => ({ city: source.city, certificate })));
    }
    return new DeviceCas(cas);
  }

  /** The CA certificates in one PEM text; each must be a CA (basicConstraints CA:TRUE). */
  static parse(pem: string, where: string): X509Certificate[] {
    const blocks = pem.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) throw new Error(`${where}: no PEM certificate in the file`);
    return blocks.map((block) => {
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(block);
      } catch (err) {
        throw new Error(`${where}: not a valid certificate: ${(err as Error).message}`, { cause: err });
      }
      if (!certificate.ca)
        throw new Error(`${where}: ${certificate.subject.replace(/\n/g, ', ')} is not a CA certificate`);
      return certificate;
    });
  }

  get size(): number {
    return this.cas.length;
  }

  /** PEM of every CA, for the TLS listener's `ca` option. */
  get pems(): string[] {
    return this.cas.map((ca) => ca.certificate.toString());
  }

  /**
   * The configured CA that signed one of `chain`'s certificates (leaf first, so a device
   * certificate signed directly by its city's CA is found at once; an intermediate's issuer
   * further up). Checks the signature, not only the issuer name: a self-made certificate copying
   * a CA's subject as its issuer matches nothing.
   */
  issuerOf(chain: readonly X509Certificate[]): DeviceCa | undefined {
    for (const certificate of chain) {
      for (const ca of this.cas) {
        if (certificate.checkIssued(ca.certificate) && certificate.verify(ca.certificate.publicKey)) return ca;
      }
    }
    return undefined;
  }
}
