import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestPki, type TestCa } from '@citypulse/testing';
import { checkCsr } from './csr.js';
import { caFor, DeviceCaConfigError, loadSigningCas, signDeviceCertificate } from './device-cas.js';
import { certificateFacts } from './certificate-facts.js';

const run = promisify(execFile);

/** Loading CA keys and signing, against CAs and CSRs made by openssl. */
describe('device CAs that sign', () => {
  let pki: TestPki;
  let beijing: TestCa;
  let tianjin: TestCa;
  let csrPem: string;

  beforeAll(async () => {
    pki = await TestPki.create();
    [beijing, tianjin] = await Promise.all([pki.ca('beijing'), pki.ca('tianjin')]);
    const csr = join(pki.dir, 'dev.csr');
    await run('openssl', [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(pki.dir, 'dev.key'),
      '-out',
      csr,
      '-subj',
      '/CN=admin',
    ]);
    csrPem = await readFile(csr, 'utf8');
  });
  afterAll(() => pki?.remove());

  it("signs with the city's own CA, else the CA of every city", async () => {
    const cas = await loadSigningCas(
      [
        { city: 'beijing', file: beijing.cert },
        { city: null, file: tianjin.cert },
      ],
      [
        { city: null, file: tianjin.key },
        { city: 'beijing', file: beijing.key },
      ],
    );
    expect(caFor(cas, 'beijing')?.city).toBe('beijing');
    expect(caFor(cas, 'shijiazhuang')?.city).toBeNull();
    expect(
      caFor(
        cas.filter((ca) => ca.city !== null),
        'shijiazhuang',
      ),
    ).toBeUndefined();
  });

  it('signs an RSA CSR with an EC CA: only the CSR key is kept, the subject is the device id', async () => {
    const [ca] = await loadSigningCas(
      [{ city: 'beijing', file: beijing.cert }],
      [{ city: 'beijing', file: beijing.key }],
    );
    const checked = await checkCsr(csrPem);
    if (!('csr' in checked)) throw new Error(checked.problem);
    const signed = new X509Certificate(
      (
        await signDeviceCertificate(ca, { deviceId: 'bj-1', publicKey: checked.csr.publicKey, validityDays: 7 })
      ).toString('pem'),
    );
    expect(signed.subject).toBe('CN=bj-1');
    expect(signed.checkIssued(new X509Certificate(await readText(beijing.cert)))).toBe(true);
    expect(signed.publicKey.asymmetricKeyType).toBe('rsa');
    expect(signed.ca).toBe(false);
    const facts = certificateFacts(signed.toString());
    expect('facts' in facts && facts.facts.subject).toBe('CN=bj-1');
  });

  it('refuses at boot a key that belongs to none of the CA certificates, naming the files', async () => {
    const load = loadSigningCas([{ city: 'beijing', file: beijing.cert }], [{ city: 'beijing', file: tianjin.key }]);
    await expect(load).rejects.toThrow(DeviceCaConfigError);
    await expect(load).rejects.toThrow(`${tianjin.key} is the key of no CA certificate in ${beijing.cert}`);
    const garbage = join(pki.dir, 'garbage.key');
    await writeFile(garbage, 'not a key');
    await expect(loadSigningCas([{ city: null, file: beijing.cert }], [{ city: null, file: garbage }])).rejects.toThrow(
      `CP_DEVICE_CA_KEY ${garbage}: not a readable, unencrypted private key`,
    );
  });

  it('answers what is wrong with a certificate offered for registration', async () => {
    expect(certificateFacts('hello')).toEqual({ problem: expect.stringContaining('must be a PEM certificate') });
    expect(certificateFacts(await readText(beijing.cert))).toEqual({
      problem: 'is a CA certificate, not a device certificate',
    });
    const expired = await pki.deviceCert(beijing, 'old', { startDate: '20200101000000Z', endDate: '20200201000000Z' });
    expect(certificateFacts(await readText(expired.cert))).toEqual({ problem: 'expired on 2020-02-01T00:00:00.000Z' });
  });
});

const readText = (file: string) => readFile(file, 'utf8');
