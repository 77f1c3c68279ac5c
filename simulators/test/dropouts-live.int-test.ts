import { join } from 'node:path';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { recordRun } from '../src/capture/record.js';
import { parseMix } from '../src/plan/mix.js';
import { dropouts } from '../src/scenarios/device-faults.js';
import { CredentialStore } from '../src/send/credential-store.js';
import { runLive } from '../src/send/live-run.js';
import { liveStartMs } from '../src/send/pace.js';
import { prepareRun } from '../src/simulation/simulation.js';
import { alertsOf, scratchDir } from './sim-test-kit.js';

const SECOND = 1000;

/**
 * Dropouts, live at 1×: silence is judged on the wall clock, so this scenario has to run in real
 * time. Readings every half second, no-data rules shortened to 2 s (four intervals; through PUT
 * /rules, as an operator would) and a deadman check every 500 ms make the building's uplink outage
 * (the middle 24 % of the run, 5.8 s) raise its deadman alerts and resolve them within a 24 s run.
 */
describe('dropouts, live', () => {
  let cp: TestCitypulse;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  beforeAll(async () => {
    cp = await TestCitypulse.start({ CP_ALERT_DEADMAN_INTERVAL_MS: '500' });
    dir = await scratchDir();
  });
  afterAll(async () => {
    await cp?.stop();
    await dir?.remove();
  });

  it('raises no-data for the building whose uplink drops, resolves it when readings return, and records what it sent', async () => {
    for (const type of ['env-sensor', 'hvac-unit', 'lift']) {
      const rule = {
        deviceType: type,
        condition: { kind: 'deadman', afterSeconds: 2, when: 'no-data' },
        forSeconds: 0,
        severity: 'warning',
        enabled: true,
      };
      expect((await cp.api('PUT', `/rules/${type}.no-data`, rule)).status).toBe(200);
    }
    const prefix = 'dl';
    const durationMs = 24 * SECOND;
    const options = {
      seed: 41,
      devices: 9,
      cities: ['beijing'],
      mix: parseMix('building=1'),
      intervalS: 0.5,
      prefix,
      startMs: liveStartMs(Date.now(), durationMs, 1),
      durationMs,
      scenario: 'dropouts',
    };
    const run = prepareRun(options);
    const recordPath = join(dir.path, 'live.ndjson.gz');
    const live = await runLive(run, {
      mqttUrl: cp.mqttUrl,
      apiUrl: `http://127.0.0.1:${cp.running.httpPort}`,
      token: cp.config.http.adminToken,
      store: await CredentialStore.open(join(dir.path, 'credentials.json')),
      reprovision: false,
      speed: 1,
      recordPath,
    });
    const endedAt = Date.now();
    expect(live.stats.failed).toBe(0);
    expect(live.stats.acked).toBe(live.capture!.lines);

    const outage = run.context.window;
    const siteZero = run.plan.devices.filter((d) => d.site.index === 0);
    expect(siteZero.map((d) => d.type.name).sort()).toEqual(['env-sensor', 'hvac-unit', 'lift']);
    const alerts = await waitFor(
      () => alertsOf(cp, prefix),
      (items) => siteZero.every((d) => items.some((a) => a.deviceId === d.id && a.state === 'resolved')),
      { what: 'resolved no-data alerts for the silent building' },
    );
    for (const device of siteZero) {
      const alert = alerts.find((a) => a.deviceId === device.id && a.state === 'resolved')!;
      expect(alert.ruleId).toBe(`${device.type.name}.no-data`);
      // Opened during the outage, resolved before the run ended: it was the outage, not the end of the run.
      expect(Date.parse(alert.openedAt)).toBeGreaterThan(outage.startMs);
      expect(Date.parse(alert.resolvedAt)).toBeLessThan(endedAt);
    }
    for (const alert of alerts) expect([...dropouts.raises, ...dropouts.mayRaise]).toContain(alert.ruleId);

    // What a live run records is what an offline record of the same options writes, byte for byte.
    const offline = await recordRun(prepareRun(options), join(dir.path, 'offline.ndjson.gz'));
    expect(live.capture!.sha256).toBe(offline.sha256);
  });
});
