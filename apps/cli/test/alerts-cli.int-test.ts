import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../citypulse/test/harness.js';
import {
  connectedSensor,
  createRule,
  waitForAlerts,
  type TestDevice,
} from '../../citypulse/test/alerts/alert-helpers.js';

const exec = promisify(execFile);
const CLI = 'dist/apps/cli/src/alerts-cli.js';
const RED = '\x1b[1;31m';

/** `npm run alerts` as a real process (from dist/: `npm run build` first) against an in-process citypulse. */
describe('npm run alerts', () => {
  let cp: TestCitypulse;
  let api: string;
  const devices: TestDevice[] = [];
  const tails: ChildProcess[] = [];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    api = `http://127.0.0.1:${cp.running.httpPort}`;
  });
  afterAll(async () => {
    for (const tail of tails) tail.kill('SIGTERM');
    await Promise.all(devices.map((d) => d.client.endAsync()));
    await cp?.stop();
  });

  /** The token comes from CP_API_TOKEN, as with the other CLIs. */
  const env = () => ({ ...process.env, CP_API_TOKEN: cp.config.http.adminToken });

  function tail(...args: string[]): { output: () => string } {
    let output = '';
    const child = spawn(process.execPath, [CLI, 'tail', '--api', api, '--color', 'always', ...args], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tails.push(child);
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    return { output: () => output };
  }

  it('follows the live alerts of a city and severity in colour, and acknowledges one with a note', async () => {
    const critical = tail('--city', 'tianjin', '--severity', 'critical');
    const everything = tail();
    await waitFor(
      async () => critical.output() + everything.output(),
      (out) => (out.match(/following /g) ?? []).length === 2,
      { what: 'both tails connected' },
    );

    const device = await connectedSensor(cp, 'tianjin');
    const elsewhere = await connectedSensor(cp, 'beijing');
    devices.push(device, elsewhere);
    const rule = (id: string, deviceId: string, severity: string) => ({
      id,
      deviceType: 'env-sensor',
      scope: { deviceId },
      field: 'co2',
      condition: { kind: 'above', threshold: 1000 },
      severity,
    });
    await createRule(cp, { ...rule(`cli-crit-${device.id}`, device.id, 'critical'), description: 'CO₂ dangerous' });
    await createRule(cp, rule(`cli-warn-${device.id}`, device.id, 'warning'));
    await createRule(cp, rule(`cli-crit-${elsewhere.id}`, elsewhere.id, 'critical'));
    await device.publish({ co2: 1400 }, Date.now() - 2000);
    await elsewhere.publish({ co2: 1400 }, Date.now() - 2000);
    const alerts = await waitForAlerts(cp, device.id, (items) => items.length === 2, 'two alerts');
    const criticalAlert = alerts.find((a) => a.severity === 'critical')!;

    // Its escalation of the warning is an event too, and may come first: the raise is looked for.
    const raisedLine = (out: string) =>
      out.split('\n').find((l) => l.includes(`[${criticalAlert.id}]`) && / raised +/.test(l));
    const raised = raisedLine(
      await waitFor(
        () => Promise.resolve(critical.output()),
        (out) => raisedLine(out) !== undefined,
        { what: 'the critical alert raised in the tail' },
      ),
    )!;
    expect(raised).toContain(`${RED}CRITICAL`);
    expect(raised).toMatch(/raised +CO₂ dangerous/);
    expect(raised).toContain(`${device.id} tianjin/tianjin-tower-1 co2=1400`);
    // The filters hold: no warning, no other city.
    await waitFor(
      () => Promise.resolve(everything.output()),
      (out) => out.includes(`cli-warn-${device.id}`) && out.includes(elsewhere.id),
      { what: 'every alert in the unfiltered tail' },
    );
    expect(critical.output()).not.toContain(`cli-warn-${device.id}`);
    expect(critical.output()).not.toContain(elsewhere.id);
    // A rule without a description is titled by its id.
    expect(everything.output()).toMatch(new RegExp(`\\x1b\\[33mWARNING\\s*\\x1b\\[0m raised +cli-warn-${device.id} —`));

    const ack = await exec(
      process.execPath,
      [CLI, 'ack', criticalAlert.id, '--note', 'crew on the way', '--by', 'dana', '--api', api],
      { env: env() },
    );
    expect(ack.stdout).toContain(`acknowledged ${criticalAlert.id} by dana with note “crew on the way”`);
    await waitFor(
      () => Promise.resolve(critical.output()),
      (out) => /acknowledged +CO₂ dangerous .* by dana “crew on the way”/.test(out),
      { what: 'the acknowledgement in the tail' },
    );
    const history = (await cp.api('GET', `/alerts/${encodeURIComponent(criticalAlert.id)}/history`)).body.items;
    expect(history).toContainEqual(
      expect.objectContaining({ kind: 'acknowledged', actor: 'dana', note: 'crew on the way' }),
    );

    // Acknowledging again is refused by the API, and the CLI says so with a non-zero exit.
    const again = await exec(process.execPath, [CLI, 'ack', criticalAlert.id, '--api', api], { env: env() }).catch(
      (error) => error,
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('409');
  });

  it('refuses a bad severity and a missing token with exit code 2', async () => {
    const bad = await exec(process.execPath, [CLI, 'tail', '--severity', 'loud', '--api', api], { env: env() }).catch(
      (error) => error,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--severity loud');
    const refused = await exec(process.execPath, [CLI, 'tail', '--api', api], {
      env: { ...process.env, CP_API_TOKEN: 'not-a-token' },
    }).catch((error) => error);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('401');
  });
});
