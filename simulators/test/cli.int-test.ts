import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@citypulse/testing';
import { TestCitypulse } from '../../apps/citypulse/test/harness.js';
import { captureSha256 } from '../src/capture/capture-reader.js';
import { alertsOf, scratchDir } from './sim-test-kit.js';

const exec = promisify(execFile);
const CLI = 'dist/simulators/src/cli.js';

/** The `npm run sim` CLI as a real process (from dist/: `npm run build` first) against an in-process citypulse. */
describe('npm run sim', () => {
  let cp: TestCitypulse;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let target: string[];

  beforeAll(async () => {
    cp = await TestCitypulse.start();
    dir = await scratchDir();
    await writeFile(join(dir.path, 'token'), cp.config.http.adminToken);
    target = [
      '--mqtt',
      cp.mqttUrl,
      '--api',
      `http://127.0.0.1:${cp.running.httpPort}`,
      '--token-file',
      join(dir.path, 'token'),
      '--credentials',
      join(dir.path, 'credentials.json'),
    ];
  });
  afterAll(async () => {
    await cp?.stop();
    await dir?.remove();
  });

  const sim = (...args: string[]) =>
    exec('node', [CLI, ...args], { env: { ...process.env, CP_API_TOKEN: '' }, timeout: 120_000 });

  it('runs a scenario against the service, records it, replays it reusing the devices, and backtests it', async () => {
    const capture = join(dir.path, 'run.ndjson.gz');
    const run = await sim(
      'run',
      '--scenario',
      'grid-fault',
      '--devices',
      '12',
      '--cities',
      'tianjin',
      '--mix',
      'energy=1',
      '--duration',
      '45m',
      '--seed',
      '3',
      '--prefix',
      'cli',
      '--speed',
      'max',
      '--record',
      capture,
      ...target,
    );
    expect(run.stdout).toMatch(/12 devices \(tianjin 12\)/);
    expect(run.stdout).toMatch(/devices {5}0 reused, 12 created, 0 replaced/);
    const sent = Number(/sent {8}(\d+) publishes/.exec(run.stdout)![1]);
    expect(run.stdout).toMatch(new RegExp(`acked {7}${sent}\\b`));
    expect(run.stdout).toMatch(/recorded {4}\d+ publishes .* \(sha256 [0-9a-f]{64}\)/);
    // The secrets stay in the local credentials file, never in the capture.
    const secrets = Object.values(
      JSON.parse(await readFile(join(dir.path, 'credentials.json'), 'utf8')) as Record<
        string,
        Record<string, { secret: string }>
      >,
    ).flatMap((byId) => Object.values(byId).map((c) => c.secret));
    expect(secrets).toHaveLength(12);
    const { stdout: captureText } = await exec('sh', ['-c', `gzip -dc ${capture}`]);
    for (const secret of secrets) expect(captureText).not.toContain(secret);

    const raised = await waitFor(
      () => alertsOf(cp, 'cli'),
      (a) => a.some((x) => x.ruleId === 'electricity-meter.voltage-low'),
      { what: 'the grid fault’s alerts' },
    );
    expect(raised.map((a) => a.ruleId)).toEqual(
      expect.arrayContaining(['electricity-meter.voltage-low', 'electricity-meter.frequency-low']),
    );

    const again = await sim('replay', capture, ...target);
    expect(again.stdout).toMatch(/devices {5}12 reused, 0 created, 0 replaced/);
    expect(again.stdout).toMatch(new RegExp(`acked {7}${sent}\\b`));

    // Under new ids and shifted to now, the same traffic raises the same alerts again.
    const replay = await sim('replay', capture, '--timestamps', 'now', '--prefix', 'cli2', ...target);
    expect(replay.stdout).toMatch(/devices {5}0 reused, 12 created, 0 replaced/);
    expect(replay.stdout).toMatch(/timestamps {2}shifted by \d+ s/);
    expect(replay.stdout).toMatch(new RegExp(`acked {7}${sent}\\b`));
    const again2 = await waitFor(
      () => alertsOf(cp, 'cli2'),
      (a) => a.some((x) => x.ruleId === 'electricity-meter.frequency-low'),
      { what: 'alerts of the renamed devices' },
    );
    expect(again2.every((a) => a.deviceId.startsWith('cli2-tianjin-electricity-meter-'))).toBe(true);

    const hash = await sim('hash', capture);
    expect(hash.stdout.split(' ')[0]).toBe(await captureSha256(capture));

    const candidate = join(dir.path, 'candidate.json');
    await writeFile(
      candidate,
      JSON.stringify([
        {
          id: 'electricity-meter.voltage-low',
          deviceType: 'electricity-meter',
          field: 'voltage',
          condition: { kind: 'below', threshold: 150, clearAbove: 160 },
          forSeconds: 60,
          severity: 'warning',
        },
      ]),
    );
    const backtest = await sim('backtest', capture, '--rules', candidate, '--json', join(dir.path, 'report.json'));
    expect(backtest.stdout).toMatch(/would have fired \(candidate rules\)[\s\S]*electricity-meter\.frequency-low/);
    expect(backtest.stdout).toMatch(
      /- electricity-meter\.voltage-low on cli-tianjin-electricity-meter-\d{3}: .*\(only with the current rules\)/,
    );
    const report = JSON.parse(await readFile(join(dir.path, 'report.json'), 'utf8'));
    expect(report.report.removed.length).toBeGreaterThan(0);
    expect(report.report.added).toEqual([]);
  });

  it('records the same bytes for the same seed and options, whoever runs it', async () => {
    const args = [
      '--scenario',
      'traffic-incident',
      '--devices',
      '20',
      '--duration',
      '1h',
      '--seed',
      '9',
      '--start',
      '2025-07-01T00:00:00Z',
    ];
    // Two processes at once: neither depends on the other, or on who runs first.
    await Promise.all([
      sim('record', '--out', join(dir.path, 'a.ndjson.gz'), ...args),
      sim('record', '--out', join(dir.path, 'b.ndjson.gz'), ...args),
    ]);
    expect(await captureSha256(join(dir.path, 'a.ndjson.gz'))).toBe(await captureSha256(join(dir.path, 'b.ndjson.gz')));
  });

  it('refuses bad options with exit code 2 and a message naming the option', async () => {
    const cases = [
      [['run', '--speed', 'warp'], /--speed warp/],
      [['record', '--out', '/dev/null', '--scenario', 'meteor'], /--scenario meteor: one of normal, heatwave/],
      [
        ['record', '--out', '/dev/null', '--scenario', 'heatwave', '--duration', '10m'],
        /heatwave needs at least 90 min/,
      ],
      [['record', '--out', '/dev/null', '--cities', 'gotham'], /--cities: unknown city gotham/],
      [['replay'], /which capture/],
      [['record', '--bogus'], /Unknown option '--bogus'/],
    ] as Array<[string[], RegExp]>;
    // Each a process of its own, all at once.
    await Promise.all(
      cases.map(([args, message]) =>
        expect(sim(...args)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(message) }),
      ),
    );
  });
});
