import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The project's compile steps, into `outDir` (a fresh folder): tsc (type-checks and emits),
 * tsc-alias (turns `@citypulse/*` imports into relative ones), then the console's static files.
 * `onPhase` names each step for the progress display. `check: false` emits without the type check (tsc --noCheck:
 * the same output, about half the time), for a caller that has just type-checked the same sources.
 */
export async function compileProject(root, outDir, onPhase, { check = true } = {}) {
  const out = relative(root, outDir);
  onPhase('compiling TypeScript');
  await run(root, 'tsc', 'node_modules/typescript/bin/tsc', [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    out,
    ...(check ? [] : ['--noCheck']),
  ]);
  onPhase('resolving @citypulse imports');
  await run(root, 'tsc-alias', 'node_modules/tsc-alias/dist/bin/index.js', [
    '-p',
    'tsconfig.build.json',
    '--outDir',
    out,
  ]);
  onPhase('copying console assets');
  cpSync(join(root, 'apps/api/src/console/public'), join(outDir, 'apps/api/src/console/public'), { recursive: true });
}

/**
 * Runs a node tool; its output (tsc's errors) is kept and shown only when it fails, so the progress bar stays whole.
 */
function run(root, name, script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(Object.assign(new Error(`${name} failed (${signal ?? `exit ${code}`})`), { output }));
    });
  });
}
