import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { ApiClient } from '../src/api-client.js';
import { Fleet } from '../src/fleet.js';
import { scratchDir } from './sim-test-kit.js';

const exec = promisify(execFile);
const OTA = 'dist/simulators/src/ota-demo.js';

/**
 * What `npm start` offers to demonstrate a firmware update: the simulated fleet it runs
 * (simulators/src/fleet.ts, every device on the device-side client's FirmwareUpdater, starting on
 * 1.0.0) and `npm run ota -- <device> <version>` as a real process (from dist/: `npm run build`
 * first), against an in-process broker and API.
 */
describe('npm start’s firmware update (simulated fleet and npm run ota)', () => {
  let cp: TestCitypulse;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let fleet: Fleet;
  let api: string;
  const fleetLog: string[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start({}, ['broker', 'api']);
    dir = await scratchDir();
    api = `http://127.0.0.1:${cp.running.httpPort}`;
    fleet = new Fleet(new ApiClient(api, cp.config.http.adminToken), {
      mqttUrl: cp.mqttUrl,
      cities: ['beijing'],
      // No telemetry during the test: the update is what is watched.
      intervalMs: 3_600_000,
      seed: 1,
      demoAlert: false,
      firmwareDir: join(dir.path, 'firmware'),
      log: (line) => fleetLog.push(line),
    });
    await fleet.start();
  });
  afterAll(async () => {
    await fleet?.stop();
    await cp?.stop();
    await dir?.remove();
  });

  it('updates a simulated electricity meter from 1.0.0 to 1.1.0, printing its progress until the ack', async () => {
    const device = 'sim-beijing-electricity-meter-1';
    await waitFor(
      () => cp.api('GET', `/devices/${device}`),
      (r) => r.body.firmwareVersion === '1.0.0',
      { what: 'the simulated meter reporting 1.0.0' },
    );
    const { stdout } = await exec(
      process.execPath,
      [OTA, device, '1.1.0', '--api', api, '--size', String(64 * 1024), '--timeout-s', '60'],
      { env: { ...process.env, CP_API_TOKEN: cp.config.http.adminToken }, timeout: 90_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(`${device}: electricity-meter in beijing, runs firmware 1.0.0`);
    expect(lines[1]).toMatch(/^image \S+: uploaded 65536 bytes, sha256 [0-9a-f]{64}$/);
    expect(lines[2]).toMatch(/^command \S+: firmware-update sent$/);
    expect(lines.at(-1)).toBe('done: {"version":"1.1.0"}');
    // Between them, a line whenever the command's status, the device's reported step or its version changed.
    expect(lines.slice(3, -1).every((l) => /^command \S+; device .+; runs \S+$/.test(l))).toBe(true);
    expect(lines.slice(3, -1).at(-1)).toMatch(/^command succeeded; /);

    expect(fleetLog).toEqual(
      expect.arrayContaining([
        `${device} ← firmware-update to 1.1.0 (65536 bytes)`,
        `${device} installing firmware 1.1.0`,
        `${device} now runs firmware 1.1.0`,
      ]),
    );
    const registered = await waitFor(
      () => cp.api('GET', `/devices/${device}`),
      (r) => r.body.firmwareVersion === '1.1.0',
      { what: 'the registry showing 1.1.0' },
    );
    expect(registered.body.firmwareUpdate).toMatchObject({ state: 'done', target: '1.1.0' });
    // The other simulated devices were not touched.
    expect((await cp.api('GET', '/devices/sim-beijing-env-sensor-1')).body.firmwareVersion).toBe('1.0.0');
  }, 120_000);
});
