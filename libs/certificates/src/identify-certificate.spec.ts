import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestPki, type IssuedCert, type TestCa } from '@citypulse/testing';
import { DeviceCas } from './device-cas.js';
import {
  certificateNames,
  identifyCertificate,
  matchDevice,
  type CertificateIdentity,
} from './identify-certificate.js';

const x509 = (cert: IssuedCert | TestCa): X509Certificate => new X509Certificate(readFileSync(cert.cert));

describe('identifyCertificate and matchDevice', () => {
  let pki: TestPki;
  let beijing: TestCa;
  let tianjin: TestCa;
  let perCity: DeviceCas;
  const bj = { id: 'bj-001', city: 'beijing' };

  beforeAll(async () => {
    pki = await TestPki.create();
    [beijing, tianjin] = await Promise.all([pki.ca('beijing'), pki.ca('tianjin')]);
    perCity = await DeviceCas.load([
      { city: 'beijing', file: beijing.cert },
      { city: 'tianjin', file: tianjin.cert },
    ]);
  });
  afterAll(() => pki.remove());

  const identify = (cert: IssuedCert, authorized = true, cas = perCity): CertificateIdentity => {
    const identity = identifyCertificate({ chain: [x509(cert)], authorized }, cas);
    if ('refused' in identity) throw new Error(`unexpected refusal ${identity.refused}`);
    return identity;
  };

  it("identifies a certificate of the device's city CA by its CN, with serial, fingerprint and dates", async () => {
    const cert = await pki.deviceCert(beijing, 'bj-001');
    const identity = identify(cert);
    expect(identity).toMatchObject({
      names: ['bj-001'],
      issuer: { city: 'beijing' },
      serial: cert.serial,
      fingerprint256: cert.fingerprint256,
    });
    expect(identity.validTo.getTime()).toBeGreaterThan(Date.now());
    expect(matchDevice(identity, bj)).toBeNull();
  });

  it('accepts the id as a DNS or URI subject alternative name', async () => {
    const cert = await pki.deviceCert(beijing, 'gateway 7', { san: ['DNS:bj-001.devices', 'URI:bj-001'] });
    expect(certificateNames(x509(cert))).toEqual(['gateway 7', 'bj-001.devices', 'bj-001']);
    expect(matchDevice(identify(cert), bj)).toBeNull();
  });

  it('refuses a name that is not the device id', async () => {
    const identity = identify(await pki.deviceCert(beijing, 'bj-0010'));
    expect(matchDevice(identity, bj)).toMatchObject({ refused: 'cert_cn_mismatch' });
  });

  it("refuses a certificate of another city's CA, and accepts any city under one shared CA", async () => {
    const cert = await pki.deviceCert(tianjin, 'bj-001');
    expect(matchDevice(identify(cert), bj)).toMatchObject({ refused: 'cert_wrong_city' });
    const shared = await DeviceCas.load([{ city: null, file: tianjin.cert }]);
    expect(identify(cert, true, shared).issuer).toEqual({ city: null });
    expect(matchDevice(identify(cert, true, shared), bj)).toBeNull();
  });

  it('refuses a self-signed certificate with the right CN unless its fingerprint is registered for the device', async () => {
    const cert = await pki.selfSigned('bj-001');
    // OpenSSL did not verify it (socket.authorized false), and no configured CA signed it either way.
    expect(identify(cert, false).issuer).toBeNull();
    expect(identify(cert, true).issuer).toBeNull();
    expect(matchDevice(identify(cert, false), bj)).toMatchObject({ refused: 'cert_untrusted' });
    expect(matchDevice(identify(cert, false), bj, 'bj-002')).toMatchObject({ refused: 'cert_untrusted' });
    expect(matchDevice(identify(cert, false), bj, 'bj-001')).toBeNull();
  });

  it('refuses an expired or not yet valid certificate, even when registered by fingerprint', async () => {
    const expired = await pki.deviceCert(beijing, 'bj-001', {
      startDate: '20200101000000Z',
      endDate: '20200201000000Z',
    });
    expect(identifyCertificate({ chain: [x509(expired)], authorized: false }, perCity)).toMatchObject({
      refused: 'cert_expired',
      message: 'certificate expired at 2020-02-01T00:00:00.000Z',
    });
    const future = await pki.deviceCert(beijing, 'bj-001', {
      startDate: '20990101000000Z',
      endDate: '20990201000000Z',
    });
    expect(identifyCertificate({ chain: [x509(future)], authorized: false }, perCity)).toMatchObject({
      refused: 'cert_not_yet_valid',
    });
  });

  it("does not take a CA's name for its signature: a certificate naming the CA as issuer but signed by another key is untrusted", async () => {
    // A second CA with the same subject as beijing's: its certificates name "beijing devices CA" as issuer.
    const impostor = await pki.ca('beijing');
    const cert = await pki.deviceCert(impostor, 'bj-001');
    expect(x509(cert).issuer).toBe(x509(beijing).subject);
    expect(identify(cert, true).issuer).toBeNull();
  });
});

describe('DeviceCas', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await TestPki.create();
  });
  afterAll(() => pki.remove());

  it('loads a bundle of several CAs from one file (a CA rollover)', async () => {
    const [a, b] = await Promise.all([pki.ca('old'), pki.ca('new')]);
    const bundle = join(pki.dir, 'bundle.pem');
    writeFileSync(bundle, readFileSync(a.cert, 'utf8') + readFileSync(b.cert, 'utf8'));
    const cas = await DeviceCas.load([{ city: 'beijing', file: bundle }]);
    expect(cas.size).toBe(2);
    expect(cas.pems).toHaveLength(2);
  });

  it('names the file and city of a missing, empty or non-CA file', async () => {
    await expect(DeviceCas.load([{ city: 'beijing', file: join(pki.dir, 'missing.pem') }])).rejects.toThrow(
      /CP_MQTT_TLS_CA \(beijing\) .*missing.pem: cannot read/,
    );
    const empty = join(pki.dir, 'empty.pem');
    writeFileSync(empty, 'not a pem');
    await expect(DeviceCas.load([{ city: null, file: empty }])).rejects.toThrow(
      /CP_MQTT_TLS_CA .*empty.pem: no PEM certificate in the file/,
    );
    const ca = await pki.ca('leafs');
    const leaf = await pki.deviceCert(ca, 'bj-001');
    await expect(DeviceCas.load([{ city: 'tianjin', file: leaf.cert }])).rejects.toThrow(
      /CP_MQTT_TLS_CA \(tianjin\) .*: CN=bj-001 is not a CA certificate/,
    );
  });
});
