#!/usr/bin/env node
/**
 * `npm run build`, and the build sim, bench, start and alerts run first: compiles only when the
 * sources changed (a content stamp, scripts/build/source-stamp.mjs), into a fresh folder that
 * `dist` is then switched to in one rename — a running command is never pulled from under its
 * feet (scripts/build/versioned-dist.mjs).
 *
 *   node scripts/build.mjs            build if the sources changed; say so either way
 *   node scripts/build.mjs --quiet    the same, silent when nothing changed (what the commands use)
 *   node scripts/build.mjs --plain    compile into a plain dist/ folder (container images: nothing runs beside the
 * build)
 *   node scripts/build.mjs --no-check emit without tsc's type check (npm test: `npm run typecheck` has just checked
 * the same sources, tests included)
 *
 * All output goes to stderr. Builds are kept by content; `rm -rf .builds dist` starts over.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildProgress } from './build/build-progress.mjs';
import { compileProject } from './build/compile.mjs';
import { sourceStamp } from './build/source-stamp.mjs';
import { currentBuild, ensureBuild, lastBuildMs } from './build/versioned-dist.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_ESTIMATE_MS = 60_000;

let options;
try {
  options = parseArgs({
    options: { quiet: { type: 'boolean' }, plain: { type: 'boolean' }, 'no-check': { type: 'boolean' } },
  }).values;
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exit(2);
}
// Ctrl-C: exit through 'exit' handlers, which release the build lock.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const compile = async (outDir) => {
  const progress = buildProgress(lastBuildMs(root) ?? DEFAULT_ESTIMATE_MS);
  try {
    await compileProject(root, outDir, progress.phase, { check: !options['no-check'] });
    progress.done();
  } catch (err) {
    progress.fail();
    throw err;
  }
};

try {
  if (options.plain) {
    rmSync(join(root, 'dist'), { recursive: true, force: true });
    await compile(join(root, 'dist'));
  } else {
    const id = sourceStamp(root);
    const before = currentBuild(root);
    const compiled = await ensureBuild(root, id, {
      compile: async (outDir) => {
        console.error(`== building ${id} (${before ? `the sources changed since ${before}` : 'no build yet'})`);
        await compile(outDir);
      },
      onWait: (pid) => console.error(`== waiting for the build in process ${pid}`),
    });
    if (!compiled && (!options.quiet || before !== id))
      console.error(
        before === id
          ? `== dist is up to date (build ${id})`
          : `== dist switched to the earlier build ${id} of these sources`,
      );
  }
} catch (err) {
  if (err.output) process.stderr.write(err.output.endsWith('\n') ? err.output : `${err.output}\n`);
  console.error(`error: build failed: ${err.message}${err.output ? '' : `\n${err.stack}`}`);
  process.exit(1);
}
