import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { waitFor } from '@citypulse/testing';

const BUILD_LIB = resolve('scripts/build');

/**
 * The build that sim, bench and start run first (scripts/build/versioned-dist.mjs), on a small
 * project of its own whose "compiler" copies files, so the switching is tested without tsc:
 * nothing is compiled twice, and a process running from one build keeps it while others replace it.
 */
describe('versioned builds', () => {
  let root: string;
  const running: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cp-build-'));
    await writeFile(join(root, 'package.json'), JSON.stringify({ type: 'module' }));
    await mkdir(join(root, 'apps/src'), { recursive: true });
    // The "compiler": sources are JavaScript already (in .ts files, which the stamp reads).
    await writeFile(
      join(root, 'build.mjs'),
      `import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { ensureBuild } from '${BUILD_LIB}/versioned-dist.mjs';
import { sourceStamp } from '${BUILD_LIB}/source-stamp.mjs';
const compiled = await ensureBuild(process.cwd(), sourceStamp(process.cwd()), {
  compile: async (outDir) => {
    appendFileSync('compiles.log', process.pid + '\\n');
    while (process.env.GATE && !existsSync(process.env.GATE)) await new Promise((r) => setTimeout(r, 20));
    if (existsSync('apps/src/broken.ts')) throw new Error('does not compile');
    mkdirSync(outDir, { recursive: true });
    for (const f of readdirSync('apps/src')) {
      writeFileSync(outDir + '/' + f.replace(/\\.ts$/, '.js'), readFileSync('apps/src/' + f));
    }
  },
  onWait: (pid) => console.log('waiting for ' + pid),
});
console.log(JSON.stringify({ compiled }));
`,
    );
    // A long-running command: loads late.js only when asked, as the bench loads its modules.
    await writeFile(
      join(root, 'apps/src/main.ts'),
      `console.log('ready'); process.stdin.on('data', async () => console.log((await import('./late.js')).version));\n`,
    );
  });
  afterAll(async () => {
    for (const child of running) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  const setVersion = (v: string) => writeFile(join(root, 'apps/src/late.ts'), `export const version = '${v}';\n`);
  const current = () => /^\.builds\/([^/]+)\/dist$/.exec(readlinkSync(join(root, 'dist')))![1];
  const builds = async () =>
    (await readdir(join(root, '.builds'))).filter((n) => !n.startsWith('.') && !n.startsWith('in-place'));
  const compiles = async () =>
    (await readFile(join(root, 'compiles.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

  function start(
    command: string[],
    env: Record<string, string> = {},
  ): { child: ChildProcessWithoutNullStreams; output: () => string; exit: Promise<number | null> } {
    const child = spawn(process.execPath, command, { cwd: root, env: { ...process.env, ...env } });
    running.push(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, output: () => output, exit };
  }
  async function build(env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
    const run = start(['build.mjs'], env);
    const code = await run.exit;
    return { code, output: run.output() };
  }

  it('moves a plain dist aside, then compiles only when the sources changed', async () => {
    await mkdir(join(root, 'dist'));
    await writeFile(join(root, 'dist/old.js'), '');
    await setVersion('v1');
    expect(await build()).toEqual({ code: 0, output: '{"compiled":true}\n' });
    const first = current();
    expect(existsSync(join(root, 'dist/late.js'))).toBe(true);
    expect((await readdir(join(root, '.builds'))).some((n) => n.startsWith('in-place-'))).toBe(true);

    expect(await build()).toEqual({ code: 0, output: '{"compiled":false}\n' });
    expect(current()).toBe(first);
    expect(await compiles()).toBe(1);
  });

  it('keeps the build a running command started from, however many builds replace it', async () => {
    const old = current();
    const command = start(['dist/main.js']);
    await waitFor(
      async () => command.output(),
      (o) => o.includes('ready'),
      { what: 'the long-running command' },
    );
    for (const v of ['v2', 'v3', 'v4', 'v5']) {
      await setVersion(v);
      expect((await build()).code).toBe(0);
    }
    expect(await builds()).toContain(old);
    // It loads a module now, long after dist moved on: from its own build.
    command.child.stdin.write('\n');
    await waitFor(
      async () => command.output(),
      (o) => o.includes('v1'),
      { what: 'the late import' },
    );
    expect(command.output()).not.toMatch(/ERR_MODULE_NOT_FOUND|v5/);

    command.child.kill('SIGKILL');
    await command.exit;
    await setVersion('v6');
    expect((await build()).code).toBe(0);
    // The current build and the two before it stay; the rest, unused now, go.
    expect((await builds()).length).toBe(3);
    expect(await builds()).not.toContain(old);
  });

  it('compiles once when two commands need the same new build at the same time', async () => {
    await setVersion('v7');
    const before = await compiles();
    const gate = join(root, 'gate');
    const a = start(['build.mjs'], { GATE: gate });
    await waitFor(compiles, (n) => n === before + 1, { what: 'the first build to start compiling' });
    const b = start(['build.mjs'], { GATE: gate });
    await waitFor(
      async () => b.output(),
      (o) => o.includes('waiting for'),
      { what: 'the second build to wait' },
    );
    await writeFile(gate, '');
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    expect(a.output()).toContain('{"compiled":true}');
    expect(b.output()).toContain('{"compiled":false}');
    expect(await compiles()).toBe(before + 1);
    expect(existsSync(join(root, 'dist/late.js'))).toBe(true);
  });

  it('leaves dist as it was when the build fails', async () => {
    const before = current();
    await writeFile(join(root, 'apps/src/broken.ts'), '');
    const failed = await build();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toContain('does not compile');
    expect(current()).toBe(before);
    expect((await readdir(join(root, '.builds'))).filter((n) => n.startsWith('.'))).toEqual([]);
    await rm(join(root, 'apps/src/broken.ts'));
  });
});
