import { join } from 'node:path';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { alertsOf } from '../../apps/citypulse/test/alerts/alert-helpers.js';
import { ApiClient } from '../src/api-client.js';
import { Fleet, type FleetOptions } from '../src/fleet.js';
import { scratchDir } from './sim-test-kit.js';

/**
 * `npm start` run a second time against the same stack: the simulated fleet finds its devices
 * registered. It must keep them (a fresh secret each) rather than delete and re-create them — the
 * alerts workers drop a deleted id's readings for ten minutes, and the demo's alert never came.
 */
describe('the simulated fleet started again on the same stack', () => {
  let cp: TestCitypulse;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  const fleets: Fleet[] = [];
  const meter = 'sim-beijing-electricity-meter-1';

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    dir = await scratchDir();
  });
  afterAll(async () => {
    for (const fleet of fleets) await fleet.stop().catch(() => undefined);
    await cp?.stop();
    await dir?.remove();
  });

  function fleet(options: Partial<FleetOptions>): Fleet {
    const started = new Fleet(new ApiClient(`http://127.0.0.1:${cp.running.httpPort}`, cp.config.http.adminToken), {
      mqttUrl: cp.mqttUrl,
      cities: ['beijing'],
      intervalMs: 500,
      seed: 1,
      demoAlert: false,
      firmwareDir: join(dir.path, 'firmware'),
      log: () => undefined,
      ...options,
    });
    fleets.push(started);
    return started;
  }

  it('keeps its devices, with a new secret, and raises the demo alert', async () => {
    const first = fleet({});
    await first.start();
    await waitFor(
      () => first.stats.acked,
      (acked) => acked >= first.stats.devices,
      { what: 'a reading of every device acknowledged' },
    );
    await first.stop();
    const before = (await cp.api('GET', `/devices/${meter}`)).body;

    const second = fleet({ demoAlert: true });
    await second.start();
    const after = (await cp.api('GET', `/devices/${meter}`)).body;
    // The same device (not deleted and provisioned again), its secret rotated for this fleet.
    expect(after.createdAt).toBe(before.createdAt);
    expect(after.credentialVersion).toBe(before.credentialVersion + 1);
    // The demo drives the meter's frequency over its rule for 10 s, 3 s in: the alert is raised.
    const alerts = await waitFor(
      () => alertsOf(cp, meter),
      (items) => items.some((a) => a.ruleId === 'electricity-meter.frequency-high'),
      { what: 'the demo alert on the kept meter', timeoutMs: 40_000 },
    );
    expect(alerts.find((a) => a.ruleId === 'electricity-meter.frequency-high')).toMatchObject({ state: 'open' });
  }, 90_000);
});
