import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { FirmwareReport } from '@citypulse/contracts';
import { FirmwareUpdater, type DeviceClient } from '@citypulse/device-client';
import { freePort, uniqueName, waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../harness.js';
import { deviceClient, provisionDevice } from '../device-control/fleet-helpers.js';
import { CuttingProxy } from './cutting-proxy.js';
import { imageDir, randomImage, upload } from './firmware-helpers.js';

/**
 * Over-the-air updates end to end, on the real broker, API and Redis: a firmware-update command
 * reaches the device-side client, which downloads the image over real HTTP (through a proxy that
 * breaks the first download mid-body, so the client must resume with Range), checks its SHA-256,
 * installs it and reports each step on its state topic; the command's ack and the registry's
 * firmwareVersion follow. A corrupted image is refused and the old version kept.
 */
describe('firmware updates over the air', () => {
  const dir = imageDir();
  let cp: TestCitypulse;
  let proxy: CuttingProxy;
  let operator: MqttClient;
  const clients: DeviceClient[] = [];
  const states = new Map<string, FirmwareReport[]>();
  const IMAGE_BYTES = 256 * 1024;

  beforeAll(async () => {
    const httpPort = await freePort();
    proxy = await CuttingProxy.start(httpPort, 64 * 1024);
    cp = await TestCitypulse.start(
      { CP_HTTP_PORT: String(httpPort), CP_FIRMWARE_DIR: join(dir.dir, 'images'), CP_FIRMWARE_PUBLIC_URL: proxy.url },
      ['broker', 'api'],
    );
    const name = uniqueName('fw-ops-');
    const token = await cp.issueToken(name, 'operator');
    operator = await mqtt.connectAsync(cp.mqttUrl, {
      clientId: `operator:${name}`,
      username: `operator:${name}`,
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await operator.subscribeAsync('devices/+/state', { qos: 1 });
    operator.on('message', (topic, payload) => {
      const firmware = (JSON.parse(payload.toString()) as { firmware?: FirmwareReport }).firmware;
      if (firmware) states.set(topic.split('/')[1], [...(states.get(topic.split('/')[1]) ?? []), firmware]);
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    operator?.end(true);
    await cp?.stop();
    await proxy?.stop();
    dir.remove();
  });

  /** A device-side client running `version`, whose install step records what it installed. */
  async function updatableDevice(version: string) {
    const device = await provisionDevice(cp);
    const client = deviceClient(cp.mqttUrl, device);
    clients.push(client);
    const installed: string[] = [];
    const updater = new FirmwareUpdater(client, {
      currentVersion: version,
      downloadDir: join(dir.dir, 'device', device.id),
      install: (_path, update) => void installed.push(update.version),
      download: { retryDelayMs: 50 },
    });
    await client.start();
    await waitFor(
      () => cp.api('GET', `/devices/${device.id}`),
      (r) => r.body.firmwareVersion === version,
      { what: 'the registry showing the running version' },
    );
    return { device, updater, installed };
  }
  const command = (deviceId: string, id: string) => cp.api('GET', `/devices/${deviceId}/commands/${id}`);

  it('downloads, resuming with Range after the connection broke, installs and acks {version}; the registry shows the new version', async () => {
    const { device, updater, installed } = await updatableDevice('1.0.0');
    const image = randomImage(IMAGE_BYTES);
    const { body: uploaded } = await upload(cp, { deviceType: 'env-sensor', version: '1.1.0', city: 'beijing' }, image);
    const sent = await cp.api('POST', `/devices/${device.id}/commands`, {
      name: 'firmware-update',
      params: { imageId: uploaded.id },
      timeoutS: 30,
    });
    expect(sent.status).toBe(201);

    const done = await waitFor(
      () => command(device.id, sent.body.id),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      { what: 'the command to finish' },
    );
    expect(done.body).toMatchObject({ status: 'succeeded', result: { version: '1.1.0' } });
    expect(installed).toEqual(['1.1.0']);
    expect(updater.currentVersion).toBe('1.1.0');

    // The first download was cut after 64 KiB; the next asked for the rest.
    const downloads = proxy.requests.filter((r) => r.path === `/firmware/${uploaded.id}/download`);
    expect(downloads.length).toBeGreaterThanOrEqual(2);
    expect(downloads[0].range).toBeUndefined();
    expect(Number(/^bytes=(\d+)-$/.exec(downloads[1].range ?? '')?.[1])).toBeGreaterThan(0);

    const steps = await waitFor(
      () => states.get(device.id) ?? [],
      (s) => s.some((r) => r.state === 'done'),
      { what: 'the done report' },
    );
    const sequence = steps.filter((r) => r.state).map((r) => r.state);
    expect(sequence.filter((s, i) => s !== sequence[i - 1])).toEqual([
      'downloading',
      'verifying',
      'installing',
      'rebooting',
      'done',
    ]);
    const percents = steps.filter((r) => r.state === 'downloading').map((r) => r.percent);
    expect(percents[0]).toBe(0);
    expect(percents.at(-1)).toBe(100);
    expect(steps.find((r) => r.state === 'done')).toEqual({
      version: '1.1.0',
      state: 'done',
      target: '1.1.0',
      commandId: sent.body.id,
    });

    const registered = await waitFor(
      () => cp.api('GET', `/devices/${device.id}`),
      (r) => r.body.firmwareVersion === '1.1.0',
      { what: 'the registry’s new version' },
    );
    expect(registered.body.firmwareUpdate).toMatchObject({ state: 'done', commandId: sent.body.id });
    const selected = await cp.api('GET', '/devices?firmwareVersion=1.1.0&city=beijing');
    expect(selected.body.items.map((d: { id: string }) => d.id)).toEqual([device.id]);
    expect((await cp.api('GET', '/devices?firmwareVersion=not%20a%20version')).body.fields).toEqual([
      expect.objectContaining({ field: 'firmwareVersion' }),
    ]);
  });

  it('refuses an image whose SHA-256 does not match, reports failed sha256_mismatch and keeps its version', async () => {
    const { device, updater, installed } = await updatableDevice('2.0.0');
    const { body: uploaded } = await upload(
      cp,
      { deviceType: 'env-sensor', version: '2.1.0', city: 'beijing' },
      randomImage(4096),
    );
    // The stored bytes go bad after the upload (disk corruption, a tampered store): same size, other hash.
    const stored = join(
      dir.dir,
      'images',
      readdirSync(join(dir.dir, 'images')).find((f) => f === uploaded.id)!,
    );
    writeFileSync(stored, randomImage(4096));
    const sent = await cp.api('POST', `/devices/${device.id}/commands`, {
      name: 'firmware-update',
      params: { imageId: uploaded.id },
      timeoutS: 30,
    });

    const failed = await waitFor(
      () => command(device.id, sent.body.id),
      (r) => r.body.status === 'failed' || r.body.status === 'succeeded',
      { what: 'the command to finish' },
    );
    expect(failed.body).toMatchObject({ status: 'failed', error: 'sha256_mismatch' });
    expect(installed).toEqual([]);
    expect(updater.currentVersion).toBe('2.0.0');
    const steps = await waitFor(
      () => states.get(device.id) ?? [],
      (s) => s.some((r) => r.state === 'failed'),
      { what: 'the failed report' },
    );
    expect(steps.find((r) => r.state === 'failed')).toEqual({
      version: '2.0.0',
      state: 'failed',
      target: '2.1.0',
      reason: 'sha256_mismatch',
      commandId: sent.body.id,
    });
    const registered = await waitFor(
      () => cp.api('GET', `/devices/${device.id}`),
      (r) => r.body.firmwareUpdate?.state === 'failed',
      { what: 'the registry’s failed step' },
    );
    expect(registered.body).toMatchObject({
      firmwareVersion: '2.0.0',
      firmwareUpdate: { state: 'failed', reason: 'sha256_mismatch', target: '2.1.0' },
    });
  });
});
