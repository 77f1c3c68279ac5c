import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@citypulse/testing';

const exec = promisify(execFile);
const REPO = process.cwd();

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `npm run sim` and `npm run bench` as a user types them, from a directory outside the checkout
 * (npm finds the package with --prefix; INIT_CWD is that directory): stdout only the command's,
 * relative paths the caller's, errors one line with a non-zero exit, no build when nothing changed.
 */
describe('npm run sim / bench, as typed', () => {
  let caller: string;
  let listener: Server;
  let openPort: number;

  beforeAll(async () => {
    // The commands build first when a source changed: do it now, so the cases below see a current build.
    await exec(process.execPath, ['scripts/build.mjs', '--quiet'], { timeout: 600_000 });
    caller = await mkdtemp(join(tmpdir(), 'cp-caller-'));
    listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    openPort = (listener.address() as { port: number }).port;
  }, 620_000);
  afterAll(async () => {
    listener?.close();
    await rm(caller, { recursive: true, force: true });
  });

  /** npm as a shell would start it: none of the npm_* settings of the npm running jest. */
  async function npm(script: string, ...args: string[]): Promise<Outcome> {
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') && k !== 'INIT_CWD'),
    );
    try {
      const { stdout, stderr } = await exec('npm', ['run', '--prefix', REPO, script, '--', ...args], {
        cwd: caller,
        env: { ...env, CP_API_TOKEN: '' },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: unknown; stdout: string; stderr: string };
      if (typeof e.code !== 'number') throw err;
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('starts without building when nothing changed', async () => {
    for (const [script, arg, says] of [
      ['sim', 'help', 'citypulse simulator'],
      ['bench', '--help', 'usage: npm run bench'],
    ]) {
      const started = performance.now();
      const run = await npm(script, arg);
      console.log(`npm run ${script} -- ${arg}: ${((performance.now() - started) / 1000).toFixed(2)} s`);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout.startsWith(says)).toBe(true);
    }
  });

  it('prints rules as JSON and nothing else on stdout', async () => {
    const run = await npm('sim', 'rules');
    expect(run.code).toBe(0);
    const rules = JSON.parse(run.stdout) as Array<{ id: string }>;
    expect(rules.map((r) => r.id)).toContain('electricity-meter.voltage-low');
  });

  it("writes and reads relative paths in the caller's directory; captures are git-ignored", async () => {
    const record = await npm(
      'sim',
      'record',
      '--out',
      'small.ndjson.gz',
      '--devices',
      '3',
      '--duration',
      '10m',
      '--seed',
      '4',
    );
    expect(record.code).toBe(0);
    expect(existsSync(join(caller, 'small.ndjson.gz'))).toBe(true);
    expect(existsSync(join(REPO, 'small.ndjson.gz'))).toBe(false);
    const hash = await npm('sim', 'hash', 'small.ndjson.gz');
    expect(hash.stdout).toMatch(/^[0-9a-f]{64} {2}small\.ndjson\.gz/);
    await expect(
      exec('git', ['check-ignore', '-q', 'simulators/heatwave.ndjson.gz'], { cwd: REPO }),
    ).resolves.toBeDefined();
  });

  it('says a missing file or a bad argument in one line, exit 1 or 2', async () => {
    // Four commands, each a process of its own, all at once.
    const [missing, missingRules, bad, unknown] = await Promise.all([
      npm('sim', 'replay', 'missing.ndjson.gz'),
      npm('sim', 'backtest', 'small.ndjson.gz', '--rules', 'missing.json'),
      npm('sim', 'replay', 'small.ndjson.gz', '--timestamps', 'sometimes'),
      npm('sim', 'frobnicate'),
    ]);
    expect(missing).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: missing.ndjson.gz: no such file or directory\n',
    });
    expect(missingRules).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: missing.json: no such file or directory\n',
    });
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toMatch(/^error: --timestamps sometimes: keep .* \(npm run sim -- help\)\n$/);
    expect(unknown).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: unknown command frobnicate (npm run sim -- help lists them)\n',
    });
  });

  it('fails in one line, non-zero, when the broker is unreachable', async () => {
    await writeFile(join(caller, 'token'), 'not-used');
    const closed = await freePort(); // nothing listens there now
    const replay = await npm(
      'sim',
      'replay',
      'small.ndjson.gz',
      '--timestamps',
      'now',
      '--api',
      `http://127.0.0.1:${openPort}`,
      '--mqtt',
      `mqtt://127.0.0.1:${closed}`,
      '--token-file',
      'token',
      '--credentials',
      'credentials.json',
    );
    expect(replay.code).toBe(1);
    expect(replay.stderr).toBe(
      `error: cannot reach the broker at mqtt://127.0.0.1:${closed} (ECONNREFUSED): is citypulse running (npm start)? Otherwise pass --mqtt\n`,
    );
  });
});
