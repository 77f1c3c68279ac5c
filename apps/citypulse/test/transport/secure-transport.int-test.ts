import { execFile } from 'node:child_process';
import { copyFileSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import mqtt, { type IClientOptions } from 'mqtt';
import { getDeviceType } from '@citypulse/devices';
import { deviceTopic } from '@citypulse/contracts';
import { Metrics } from '@citypulse/observability';
import { DeviceCertificateStore } from '@citypulse/certificates';
import { REDIS } from '@citypulse/core';
import type { RedisClient } from '@citypulse/redis';
import { TestPki, uniqueName, waitFor, type IssuedCert, type TestCa } from '@citypulse/testing';
import { MqttBrokerService } from '../../../broker/src/index.js';
import { TestCitypulse } from '../harness.js';

const run = promisify(execFile);
const envSensor = getDeviceType('env-sensor')!;
const reading = (temperature: number) =>
  JSON.stringify({ values: { temperature, humidity: 40, co2: 600, occupancy: 1 } });

/**
 * MQTT over TLS and secure WebSocket: secrets and client certificates (mTLS) against a PKI made by
 * openssl for this run (a CA per city, a server CA), with the third-party mosquitto_pub and mqtt.js.
 */
describe('MQTT over TLS', () => {
  let pki: TestPki;
  let cp: TestCitypulse;
  let beijing: TestCa;
  let tianjin: TestCa;
  let serverCa: TestCa;
  let tlsPort: number;
  let wssUrl: string;
  // The broker's certificate and key files, replaced in place by the reload test.
  let certFile: string;
  let keyFile: string;

  beforeAll(async () => {
    pki = await TestPki.create();
    [beijing, tianjin, serverCa] = await Promise.all([pki.ca('beijing'), pki.ca('tianjin'), pki.ca('server')]);
    const server = await pki.serverCert(serverCa);
    [certFile, keyFile] = [join(pki.dir, 'broker.pem'), join(pki.dir, 'broker.key')];
    copyFileSync(server.cert, certFile);
    copyFileSync(server.key, keyFile);
    cp = await TestCitypulse.start({
      CP_MQTT_TLS_PORT: '0',
      CP_MQTT_WSS_PORT: '0',
      CP_MQTT_TLS_CERT: certFile,
      CP_MQTT_TLS_KEY: keyFile,
      CP_MQTT_TLS_CA: `beijing:${beijing.cert},tianjin:${tianjin.cert}`,
      // Every refusal below comes from 127.0.0.1: more than the default 10 a minute.
      CP_AUTH_FAIL_MAX_PER_ADDRESS: '100',
    });
    const broker = cp.running.app.get(MqttBrokerService);
    tlsPort = broker.listenerPort('tls')!;
    wssUrl = `wss://127.0.0.1:${broker.listenerPort('wss')}/mqtt`;
  });
  afterAll(async () => {
    await cp?.stop();
    await pki?.remove();
  });

  async function newDevice(city: 'beijing' | 'tianjin' = 'beijing') {
    const id = uniqueName('dev-');
    const secret = await cp.provision({ id, type: 'env-sensor', city, site: `${city}-1` });
    return { id, secret };
  }
  const storedTemperatures = async (id: string): Promise<number[]> =>
    (await cp.influx.query(`SELECT temperature FROM "${envSensor.measurement}" WHERE device_id = '${id}'`)).map(
      (row: any) => row.temperature,
    );
  const waitStored = (id: string, temperature: number) =>
    waitFor(
      () => storedTemperatures(id),
      (t) => t.includes(temperature),
      { what: `reading ${temperature} of ${id} in InfluxDB` },
    );

  const portOf = (kind: 'tls' | 'wss') => (kind === 'tls' ? tlsPort : Number(new URL(wssUrl).port));
  const tlsOptions = (extra: IClientOptions = {}): IClientOptions => ({
    port: tlsPort,
    host: '127.0.0.1',
    protocol: 'mqtts',
    ca: readFileSync(serverCa.cert),
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...extra,
  });
  const withCert = (cert: IssuedCert): IClientOptions => ({
    cert: readFileSync(cert.cert),
    key: readFileSync(cert.key),
  });
  const mosquittoPub = (args: string[]) =>
    run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(tlsPort),
      '--cafile',
      serverCa.cert,
      '-V',
      'mqttv311',
      '-q',
      '1',
      ...args,
    ]);
  const authFailures = async (reason: string): Promise<number> =>
    (await cp.running.app.get(Metrics).authFailures.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;

  it('stores a reading a device publishes over TLS with its secret (mosquitto_pub and mqtt.js)', async () => {
    const { id, secret } = await newDevice();
    await mosquittoPub(['-i', id, '-u', id, '-P', secret, '-t', deviceTopic(id, 'telemetry'), '-m', reading(21.5)]);
    await waitStored(id, 21.5);
    const client = await mqtt.connectAsync(tlsOptions({ clientId: id, username: id, password: secret }));
    await client.publishAsync(deviceTopic(id, 'telemetry'), reading(22.5), { qos: 1 });
    await client.endAsync();
    await waitStored(id, 22.5);
  });

  it('logs a device in with only its client certificate (mosquitto_pub --cert --key, and mqtt.js) and stores its readings', async () => {
    const { id } = await newDevice();
    const cert = await pki.deviceCert(beijing, id);
    await mosquittoPub([
      '--cert',
      cert.cert,
      '--key',
      cert.key,
      '-i',
      id,
      '-u',
      id,
      '-t',
      deviceTopic(id, 'telemetry'),
      '-m',
      reading(23.5),
    ]);
    await waitStored(id, 23.5);
    // By a URI subject alternative name, a password beside the certificate ignored.
    const bySan = await pki.deviceCert(beijing, 'gateway', { san: [`URI:${id}`] });
    const client = await mqtt.connectAsync(
      tlsOptions({ clientId: id, username: id, password: 'ignored', ...withCert(bySan) }),
    );
    await client.publishAsync(deviceTopic(id, 'telemetry'), reading(24.5), { qos: 1 });
    await client.endAsync();
    await waitStored(id, 24.5);
  });

  it('runs the TLS examples of devices/README.md as written (secret, client certificate, mosquitto_rr, mqtt.js over WSS)', async () => {
    const readme = readFileSync(resolve('devices/README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### TLS and client certificates'), readme.indexOf('## Topics'));
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
      .flatMap((block) => block[1].replace(/\\\n\s*/g, '').split('\n'))
      .filter((line) => line.startsWith('mosquitto_'));
    expect(commands.map((c) => c.split(' ')[0])).toEqual(['mosquitto_pub', 'mosquitto_pub', 'mosquitto_rr']);
    const { id, secret } = await newDevice();
    const cert = await pki.deviceCert(beijing, id);
    const local = (text: string) =>
      text
        .replaceAll('citypulse.example', '127.0.0.1')
        .replaceAll('8883', String(tlsPort))
        .replaceAll('8884', new URL(wssUrl).port)
        .replaceAll('server-ca.pem', serverCa.cert)
        .replaceAll('bj-env-0042.pem', cert.cert)
        .replaceAll('bj-env-0042.key', cert.key)
        .replaceAll('bj-env-0042', id);
    const outputs: string[] = [];
    for (const command of commands) {
      outputs.push(
        (await run('sh', ['-c', local(command)], { env: { ...process.env, DEVICE_SECRET: secret }, timeout: 20_000 }))
          .stdout,
      );
    }
    const [, mqttJs] = /```js\n([\s\S]*?)```/.exec(section)!;
    // --eval resolves `import 'mqtt'` from the working directory, the repository's node_modules.
    await run(process.execPath, ['--input-type=module', '-e', local(mqttJs)], { timeout: 20_000 });
    await waitFor(
      () => storedTemperatures(id),
      (t) => t.length === 3,
      { what: 'the three readings of the README examples' },
    );
    expect(JSON.parse(outputs[2])).toMatchObject({
      accepted: 0,
      rejected: [expect.objectContaining({ reason: 'wrong_type', field: 'temperature' })],
    });
  });

  const certificateStore = () =>
    new DeviceCertificateStore(cp.running.app.get<RedisClient>(REDIS), cp.config.redis.prefix);

  it('logs a device in with a self-signed certificate registered for it by fingerprint, and no other device', async () => {
    const { id } = await newDevice();
    const cert = await pki.selfSigned(`not-${id}`);
    await certificateStore().add({
      deviceId: id,
      city: 'beijing',
      fingerprint: cert.fingerprint256,
      source: 'registered',
    });
    const client = await mqtt.connectAsync(tlsOptions({ clientId: id, username: id, ...withCert(cert) }));
    await client.publishAsync(deviceTopic(id, 'telemetry'), reading(26.5), { qos: 1 });
    await client.endAsync();
    await waitStored(id, 26.5);
    // Registered for another device: untrusted.
    const other = await newDevice();
    await expect(
      mqtt.connectAsync(tlsOptions({ clientId: other.id, username: other.id, ...withCert(cert) })),
    ).rejects.toMatchObject({ code: 5 });
  });

  it('closes the connection made with a certificate when its serial is revoked, and refuses it from then on', async () => {
    const { id } = await newDevice();
    const cert = await pki.deviceCert(beijing, id);
    await certificateStore().add({
      deviceId: id,
      city: 'beijing',
      fingerprint: cert.fingerprint256,
      serial: cert.serial,
      source: 'issued',
    });
    const client = await mqtt.connectAsync(tlsOptions({ clientId: id, username: id, ...withCert(cert) }));
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const before = await authFailures('cert_revoked');
    await certificateStore().revoke(cert.fingerprint256);
    await closed;
    await expect(
      mqtt.connectAsync(tlsOptions({ clientId: id, username: id, ...withCert(cert) })),
    ).rejects.toMatchObject({ code: 5 });
    expect(await authFailures('cert_revoked')).toBe(before + 1);
  });

  describe('refuses a certificate login with CONNACK 5 (not authorised), counted by reason', () => {
    const refusedWith = async (reason: string, args: string[]) => {
      const before = await authFailures(reason);
      await expect(mosquittoPub([...args, '-m', reading(1)])).rejects.toMatchObject({
        code: 5,
        stderr: expect.stringMatching(/not authori[sz]ed/i),
      });
      expect(await authFailures(reason)).toBe(before + 1);
    };
    const login = (id: string, cert: IssuedCert) => [
      '--cert',
      cert.cert,
      '--key',
      cert.key,
      '-i',
      id,
      '-u',
      id,
      '-t',
      deviceTopic(id, 'telemetry'),
    ];

    it("a certificate of another city's CA", async () => {
      const { id } = await newDevice('beijing');
      await refusedWith('cert_wrong_city', login(id, await pki.deviceCert(tianjin, id)));
    });

    it('a self-signed certificate with the right CN', async () => {
      const { id } = await newDevice();
      await refusedWith('cert_untrusted', login(id, await pki.selfSigned(id)));
    });

    it('an expired certificate', async () => {
      const { id } = await newDevice();
      await refusedWith(
        'cert_expired',
        login(id, await pki.deviceCert(beijing, id, { startDate: '20200101000000Z', endDate: '20200201000000Z' })),
      );
    });

    it('a certificate naming another device', async () => {
      const [{ id }, other] = await Promise.all([newDevice(), newDevice()]);
      await refusedWith('cert_cn_mismatch', login(id, await pki.deviceCert(beijing, other.id)));
    });

    it('a revoked device', async () => {
      const { id } = await newDevice();
      const cert = await pki.deviceCert(beijing, id);
      expect((await cp.api('POST', `/devices/${id}/revoke`)).status).toBeLessThan(300);
      await refusedWith('revoked', login(id, cert));
    });

    it('a client id or username other than the certificate’s device', async () => {
      const { id } = await newDevice();
      const cert = await pki.deviceCert(beijing, id);
      await expect(
        mqtt.connectAsync(tlsOptions({ clientId: `${id}-x`, username: id, ...withCert(cert) })),
      ).rejects.toMatchObject({ code: 2 });
      const other = await newDevice();
      await expect(
        mqtt.connectAsync(tlsOptions({ clientId: other.id, username: other.id, ...withCert(cert) })),
      ).rejects.toMatchObject({ code: 5 });
    });
  });

  describe('over secure WebSocket (wss://…/mqtt, mqtt.js), the same certificate login', () => {
    const wss = (id: string, login: IClientOptions) =>
      mqtt.connectAsync(wssUrl, {
        ca: readFileSync(serverCa.cert),
        protocolVersion: 4,
        reconnectPeriod: 0,
        clientId: id,
        username: id,
        ...login,
      });

    it('logs a device in with only its client certificate and stores its reading; a secret still logs in', async () => {
      const { id, secret } = await newDevice();
      for (const [login, temperature] of [
        [withCert(await pki.deviceCert(beijing, id)), 27.5],
        [{ password: secret }, 28.5],
      ] as const) {
        const client = await wss(id, login);
        await client.publishAsync(deviceTopic(id, 'telemetry'), reading(temperature), { qos: 1 });
        await client.endAsync();
        await waitStored(id, temperature);
      }
    });

    it.each([
      ['cert_wrong_city', (id: string) => pki.deviceCert(tianjin, id)],
      ['cert_untrusted', (id: string) => pki.selfSigned(id)],
      [
        'cert_expired',
        (id: string) => pki.deviceCert(beijing, id, { startDate: '20200101000000Z', endDate: '20200201000000Z' }),
      ],
      ['revoked', async (id: string) => (await cp.api('POST', `/devices/${id}/revoke`), pki.deviceCert(beijing, id))],
    ] as const)('refuses with CONNACK 5, counted as %s', async (reason, certificateFor) => {
      const { id } = await newDevice('beijing');
      const cert = await certificateFor(id);
      const before = await authFailures(reason);
      await expect(wss(id, withCert(cert))).rejects.toMatchObject({ code: 5 });
      expect(await authFailures(reason)).toBe(before + 1);
    });

    it('closes the connection when its certificate serial is revoked, and refuses it from then on', async () => {
      const { id } = await newDevice();
      const cert = await pki.deviceCert(beijing, id);
      await certificateStore().add({
        deviceId: id,
        city: 'beijing',
        fingerprint: cert.fingerprint256,
        serial: cert.serial,
        source: 'issued',
      });
      const client = await wss(id, withCert(cert));
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const before = await authFailures('cert_revoked');
      await certificateStore().revoke(cert.fingerprint256);
      await closed;
      await expect(wss(id, withCert(cert))).rejects.toMatchObject({ code: 5 });
      expect(await authFailures('cert_revoked')).toBe(before + 1);
    });
  });

  it.each(['tls', 'wss'] as const)('refuses TLS 1.1 at the handshake on the %s listener, counted', async (kind) => {
    const handshakeFailures = async () =>
      (await cp.running.app.get(Metrics).mqttConnectionErrors.get()).values.find(
        (v) => v.labels.kind === 'tls_handshake',
      )?.value ?? 0;
    const before = await handshakeFailures();
    const handshake = new Promise<void>((resolve, reject) => {
      const socket = tlsConnect(
        {
          port: portOf(kind),
          host: '127.0.0.1',
          ca: readFileSync(serverCa.cert),
          minVersion: 'TLSv1',
          maxVersion: 'TLSv1.1',
          ciphers: 'DEFAULT@SECLEVEL=0',
        },
        () => {
          socket.end();
          resolve();
        },
      );
      socket.on('error', reject);
    });
    await expect(handshake).rejects.toThrow(/protocol version|no protocols available|unsupported protocol/i);
    await waitFor(handshakeFailures, (n) => n === before + 1, { what: 'the failed handshake counted' });
  });

  it('serves a replaced certificate to new connections and keeps existing ones up; a bad replacement keeps the old one', async () => {
    const { id, secret } = await newDevice();
    const before = await mqtt.connectAsync(tlsOptions({ clientId: id, username: id, password: secret }));
    const served = (kind: 'tls' | 'wss' = 'tls') =>
      new Promise<string>((resolve, reject) => {
        const socket: TLSSocket = tlsConnect(
          { port: portOf(kind), host: '127.0.0.1', ca: readFileSync(serverCa.cert) },
          () => {
            resolve(socket.getPeerX509Certificate()!.fingerprint256);
            socket.end();
          },
        );
        socket.on('error', reject);
      });
    const original = await served();
    const renewed = await pki.serverCert(serverCa);
    // Written the way deployment tools do it: new files renamed over the old ones.
    copyFileSync(renewed.key, `${keyFile}.new`);
    copyFileSync(renewed.cert, `${certFile}.new`);
    renameSync(`${keyFile}.new`, keyFile);
    renameSync(`${certFile}.new`, certFile);
    await waitFor(served, (fingerprint) => fingerprint === renewed.fingerprint256, {
      what: 'the renewed certificate on a new connection',
    });
    expect(await served('wss')).toBe(renewed.fingerprint256);
    expect(original).not.toBe(renewed.fingerprint256);
    await before.publishAsync(deviceTopic(id, 'telemetry'), reading(25.5), { qos: 1 });
    expect(before.connected).toBe(true);
    await waitStored(id, 25.5);

    const metrics = cp.running.app.get(Metrics);
    const failed = async () =>
      (await metrics.tlsReloads.get()).values.find((v) => v.labels.outcome === 'failed')?.value ?? 0;
    const failedBefore = await failed();
    // A key that does not match the certificate: refused, the renewed pair stays.
    copyFileSync((await pki.serverCert(serverCa)).key, `${keyFile}.new`);
    renameSync(`${keyFile}.new`, keyFile);
    await waitFor(failed, (n) => n > failedBefore, { what: 'the failed reload counted' });
    expect(await served()).toBe(renewed.fingerprint256);
    await before.endAsync();
  });
});
