import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { REDIS } from '@citypulse/core';
import type { RedisClient } from '@citypulse/redis';
import { TestPki, uniqueName, type TestCa } from '@citypulse/testing';
import { MqttBrokerService } from '../../../broker/src/index.js';
import { TestCitypulse } from '../harness.js';
import { makeCsr, opensslVerifies, tamperedCsr } from './csr-helpers.js';

const DAY_MS = 86_400_000;

/**
 * Certificate provisioning over real HTTP, Redis and the broker's TLS listener, with a PKI made by
 * openssl for this run: the API signs devices' CSRs with their city's CA, registers certificates
 * issued elsewhere, lists what expires, revokes by serial — and the broker acts on all of it.
 */
describe('device certificates', () => {
  let pki: TestPki;
  let cp: TestCitypulse;
  let beijing: TestCa;
  let tianjin: TestCa;
  let serverCa: TestCa;
  let store: DeviceCertificateStore;
  let tianjinAdmin: string;
  let tianjinOperator: string;
  const clients: MqttClient[] = [];
  const bj = { id: uniqueName('bj-cert-'), type: 'env-sensor', city: 'beijing', site: 'bj-tower-1' };
  const tj = { id: uniqueName('tj-cert-'), type: 'env-sensor', city: 'tianjin', site: 'tj-port-1' };

  beforeAll(async () => {
    pki = await TestPki.create();
    [beijing, tianjin, serverCa] = await Promise.all([pki.ca('beijing'), pki.ca('tianjin'), pki.ca('server')]);
    const server = await pki.serverCert(serverCa);
    cp = await TestCitypulse.start({
      CP_MQTT_TLS_PORT: '0',
      CP_MQTT_TLS_CERT: server.cert,
      CP_MQTT_TLS_KEY: server.key,
      CP_MQTT_TLS_CA: `beijing:${beijing.cert},tianjin:${tianjin.cert}`,
      CP_DEVICE_CA_KEY: `beijing:${beijing.key},tianjin:${tianjin.key}`,
      CP_DEVICE_CERT_DAYS: '90',
    });
    store = new DeviceCertificateStore(cp.running.app.get<RedisClient>(REDIS), cp.config.redis.prefix);
    await Promise.all([cp.provision(bj), cp.provision(tj)]);
    tianjinAdmin = await cp.issueToken('tj-cert-admin', 'admin', ['tianjin']);
    tianjinOperator = await cp.issueToken('tj-cert-operator', 'operator', ['tianjin']);
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await cp?.stop();
    await pki?.remove();
  });

  const sign = async (id: string, name: string, token?: string) => {
    const { key, csrPem } = await makeCsr(pki.dir, name);
    const response = await cp.api('POST', `/devices/${id}/certificate`, { csr: csrPem }, token);
    return { ...response, key };
  };
  const tlsLogin = async (id: string, certPem: string, keyFile: string): Promise<MqttClient> => {
    const port = cp.running.app.get(MqttBrokerService).listenerPort('tls')!;
    const options: IClientOptions = {
      host: '127.0.0.1',
      port,
      protocol: 'mqtts',
      ca: readFileSync(serverCa.cert),
      cert: certPem,
      key: readFileSync(keyFile),
      clientId: id,
      username: id,
      protocolVersion: 4,
      reconnectPeriod: 0,
    };
    const client = await mqtt.connectAsync(options);
    clients.push(client);
    return client;
  };
  const auditOf = async (id: string) =>
    (
      (await cp.api('GET', '/audit?limit=1000')).body.items as Array<{ actor: string; action: string; target: string }>
    ).filter((e) => e.target === `device:${id}`);

  it("signs a device's CSR with its city's CA: CN and SAN are the device id, whatever the CSR asked", async () => {
    const { status, body } = await sign(bj.id, 'bj-1');
    expect(status).toBe(201);
    const cert = new X509Certificate(body.certificate);
    expect(cert.verify(new X509Certificate(readFileSync(beijing.cert)).publicKey)).toBe(true);
    expect(cert.verify(new X509Certificate(readFileSync(tianjin.cert)).publicKey)).toBe(false);
    const file = join(pki.dir, 'bj-1.pem');
    writeFileSync(file, body.certificate);
    expect(await opensslVerifies(beijing.cert, file)).toBe(true);
    expect(await opensslVerifies(tianjin.cert, file)).toBe(false);
    expect(cert.subject).toBe(`CN=${bj.id}`);
    expect(cert.subjectAltName).toBe(`DNS:${bj.id}`);
    expect(cert.serialNumber.replace(/^0+/, '').length).toBeGreaterThan(24);
    expect(Date.parse(cert.validTo) - Date.now()).toBeGreaterThan(89 * DAY_MS);
    expect(Date.parse(cert.validTo) - Date.now()).toBeLessThan(91 * DAY_MS);
    expect(body.record).toMatchObject({
      deviceId: bj.id,
      city: 'beijing',
      source: 'issued',
      revoked: false,
      serial: cert.serialNumber.replace(/^0+/, ''),
    });
    const listed = await cp.api('GET', `/devices/${bj.id}/certificates`);
    expect(listed.body.items).toContainEqual(
      expect.objectContaining({ fingerprint: body.record.fingerprint, notAfter: new Date(cert.validTo).toISOString() }),
    );
    expect(await auditOf(bj.id)).toContainEqual(
      expect.objectContaining({ actor: 'admin', action: 'certificate.issue' }),
    );
  });

  it('refuses a CSR whose signature does not verify, or that is not a CSR, with a 400 naming csr', async () => {
    const { csrPem } = await makeCsr(pki.dir, 'tampered');
    const problems: string[] = [];
    for (const csr of [tamperedCsr(csrPem), 'hello', readFileSync(beijing.cert, 'utf8')]) {
      const { status, body } = await cp.api('POST', `/devices/${bj.id}/certificate`, { csr });
      expect({ status, fields: body.fields.map((f: { field: string }) => f.field) }).toEqual({
        status: 400,
        fields: ['csr'],
      });
      problems.push(body.fields[0].problems[0]);
    }
    expect(problems[0]).toMatch(/signature does not verify/);
    expect((await cp.api('GET', `/devices/${bj.id}/certificates`)).body.items).toHaveLength(1);
  });

  it("answers a Tianjin admin 404 on a Beijing device's certificates, exactly as for a device that does not exist", async () => {
    const { csrPem } = await makeCsr(pki.dir, 'tj-try');
    const attempts = (id: string) => [
      cp.api('POST', `/devices/${id}/certificate`, { csr: csrPem }, tianjinAdmin),
      cp.api('POST', `/devices/${id}/certificate/rotate`, { csr: csrPem }, tianjinAdmin),
      cp.api('POST', `/devices/${id}/certificates`, { fingerprint: 'AB'.repeat(32) }, tianjinAdmin),
      cp.api('GET', `/devices/${id}/certificates`, undefined, tianjinAdmin),
      cp.api('POST', `/devices/${id}/certificates/ABCDEF/revoke`, undefined, tianjinAdmin),
    ];
    const other = await Promise.all(attempts(bj.id));
    const missing = await Promise.all(attempts('no-such-device'));
    expect(other.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
    expect(other.map((r) => r.body.message.replace(bj.id, 'X'))).toEqual(
      missing.map((r) => r.body.message.replace('no-such-device', 'X')),
    );
    expect((await sign(tj.id, 'tj-own', tianjinAdmin)).status).toBe(201);
  });

  it('logs a device in with the signed certificate alone, and a revocation by serial disconnects it and refuses it after', async () => {
    const id = uniqueName('bj-mtls-');
    await cp.provision({ ...bj, id });
    const { body, key } = await sign(id, 'mtls');
    const client = await tlsLogin(id, body.certificate, key);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const serial = body.record.serial as string;
    const revoked = await cp.api('POST', `/devices/${id}/certificates/${serial.toLowerCase()}/revoke`);
    expect(revoked).toMatchObject({ status: 200, body: { serial, revoked: true } });
    await closed;
    expect(await store.isRevoked('beijing', serial)).toBe(true);
    await expect(tlsLogin(id, body.certificate, key)).rejects.toThrow(/Not authorized/i);
    expect(await auditOf(id)).toContainEqual(expect.objectContaining({ actor: 'admin', action: 'certificate.revoke' }));
  });

  it('registers an externally issued certificate by fingerprint or PEM: the broker then knows its owner', async () => {
    const external = await pki.selfSigned(uniqueName('ext-'));
    const byPem = await cp.api('POST', `/devices/${bj.id}/certificates`, {
      certificate: readFileSync(external.cert, 'utf8'),
    });
    expect(byPem).toMatchObject({
      status: 201,
      body: { source: 'registered', fingerprint: external.fingerprint256.replace(/:/g, '') },
    });
    expect(await store.fingerprintOwner(external.fingerprint256)).toBe(bj.id);
    const again = await cp.api('POST', `/devices/${bj.id}/certificates`, { fingerprint: external.fingerprint256 });
    expect({ status: again.status, field: again.body.fields[0].field }).toEqual({ status: 409, field: 'fingerprint' });

    const fingerprint = 'C0'.repeat(32);
    expect((await cp.api('POST', `/devices/${tj.id}/certificates`, { fingerprint }, tianjinAdmin)).status).toBe(201);
    expect(await store.fingerprintOwner(fingerprint)).toBe(tj.id);
    const both = await cp.api('POST', `/devices/${tj.id}/certificates`, { fingerprint, certificate: 'x' });
    expect(both.status).toBe(400);
    expect((await cp.api('POST', `/devices/${tj.id}/certificates`, {})).body.fields[0].field).toBe('certificate');
    expect(await auditOf(tj.id)).toContainEqual(
      expect.objectContaining({ actor: 'tj-cert-admin', action: 'certificate.register' }),
    );
  });

  it('rotates: a new certificate, the previous one retired after the grace period (or at once with 0)', async () => {
    const id = uniqueName('bj-rot-');
    await cp.provision({ ...bj, id });
    const first = await sign(id, 'rot-1');
    const { csrPem } = await makeCsr(pki.dir, 'rot-2');
    const rotated = await cp.api('POST', `/devices/${id}/certificate/rotate`, { csr: csrPem });
    expect(rotated.status).toBe(201);
    expect(rotated.body.retired).toEqual([
      expect.objectContaining({ serial: first.body.record.serial, revoked: false }),
    ]);
    expect(Date.parse(rotated.body.retired[0].revokedAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(await store.isRevoked('beijing', first.body.record.serial)).toBe(false);

    const { csrPem: third } = await makeCsr(pki.dir, 'rot-3');
    const now = await cp.api('POST', `/devices/${id}/certificate/rotate`, { csr: third, graceHours: 0 });
    expect(now.body.retired.map((c: { serial: string }) => c.serial).sort()).toEqual(
      [first.body.record.serial, rotated.body.record.serial].sort(),
    );
    expect(await store.isRevoked('beijing', first.body.record.serial)).toBe(true);
    expect(await store.isRevoked('beijing', rotated.body.record.serial)).toBe(true);
    expect(await store.isRevoked('beijing', now.body.record.serial)).toBe(false);
  });

  it('registers certificates in bulk all or nothing, a device of another city being "not found"', async () => {
    const [a, b] = await Promise.all([pki.selfSigned(uniqueName('bulk-a-')), pki.selfSigned(uniqueName('bulk-b-'))]);
    const rows = [
      { deviceId: tj.id, certificate: readFileSync(a.cert, 'utf8') },
      { deviceId: bj.id, fingerprint: b.fingerprint256 },
    ];
    const refused = await cp.api('POST', '/devices/certificates/bulk', rows, tianjinAdmin);
    expect(refused.status).toBe(400);
    expect(refused.body.fields).toEqual([{ field: 'rows[2].deviceId', problems: [`device ${bj.id} not found`] }]);
    expect(await store.fingerprintOwner(a.fingerprint256)).toBeNull();
    const accepted = await cp.api('POST', '/devices/certificates/bulk', { certificates: rows });
    expect(accepted).toMatchObject({ status: 201, body: { registered: 2 } });
    expect(await store.fingerprintOwner(b.fingerprint256)).toBe(bj.id);
    const repeated = await cp.api('POST', '/devices/certificates/bulk', rows.slice(0, 1));
    expect({ status: repeated.status, fields: repeated.body.fields.map((f: { field: string }) => f.field) }).toEqual({
      status: 409,
      fields: ['rows[1].certificate'],
    });
  });

  it('lists certificates expiring within N days across the fleet, only within a token’s cities, and counts them per city in /metrics', async () => {
    const soon = await pki.deviceCert(beijing, bj.id, { endDate: yymmdd(new Date(Date.now() + 10 * DAY_MS)) });
    const tjSoon = await pki.deviceCert(tianjin, tj.id, { endDate: yymmdd(new Date(Date.now() + 12 * DAY_MS)) });
    expect(
      (await cp.api('POST', `/devices/${bj.id}/certificates`, { certificate: readFileSync(soon.cert, 'utf8') })).status,
    ).toBe(201);
    expect(
      (await cp.api('POST', `/devices/${tj.id}/certificates`, { certificate: readFileSync(tjSoon.cert, 'utf8') }))
        .status,
    ).toBe(201);
    const all = await cp.api('GET', '/certificates/expiring?days=30');
    expect(all.body.items.map((c: { deviceId: string }) => c.deviceId)).toEqual([bj.id, tj.id]);
    expect((await cp.api('GET', '/certificates/expiring?days=5')).body.items).toEqual([]);
    const scoped = await cp.api('GET', '/certificates/expiring', undefined, tianjinOperator);
    expect(scoped.body.items.map((c: { deviceId: string }) => c.deviceId)).toEqual([tj.id]);
    expect((await cp.api('GET', '/certificates/expiring?city=beijing', undefined, tianjinOperator)).body.items).toEqual(
      [],
    );
    expect((await cp.api('GET', '/certificates/expiring?days=0')).body.fields[0].field).toBe('days');

    const metrics = await (
      await fetch(`http://127.0.0.1:${cp.running.httpPort}/metrics`, {
        headers: { authorization: `Bearer ${cp.config.http.adminToken}` },
      })
    ).text();
    expect(metrics).toMatch(/^citypulse_device_certificates_expiring\{city="beijing"\} 1$/m);
    expect(metrics).toMatch(/^citypulse_device_certificates_expiring\{city="tianjin"\} 1$/m);
  });

  it('moves certificates with a device moved to another city: listed there, revocations kept', async () => {
    const id = uniqueName('bj-move-');
    await cp.provision({ ...bj, id });
    const { body } = await sign(id, 'move');
    await cp.api('POST', `/devices/${id}/certificates/${body.record.serial}/revoke`);
    expect((await cp.api('PATCH', `/devices/${id}`, { city: 'tianjin', site: 'tj-port-1' })).status).toBe(200);
    expect((await cp.api('GET', `/devices/${id}/certificates`, undefined, tianjinOperator)).body.items).toEqual([
      expect.objectContaining({ city: 'tianjin', revoked: true }),
    ]);
    expect(await store.isRevoked('tianjin', body.record.serial)).toBe(true);
  });

  it("keeps a deleted device's issued serials revoked, so a device re-created under its id cannot use them", async () => {
    const id = uniqueName('bj-del-');
    await cp.provision({ ...bj, id });
    const { body } = await sign(id, 'del');
    expect((await cp.api('DELETE', `/devices/${id}`)).status).toBe(204);
    expect(await store.isRevoked('beijing', body.record.serial)).toBe(true);
    await cp.provision({ ...bj, id });
    expect((await cp.api('GET', `/devices/${id}/certificates`)).body.items).toEqual([]);
  });
});

/** openssl's date form, YYYYMMDDHHMMSSZ. */
function yymmdd(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
