import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { processesUsing } from './processes.mjs';

/**
 * Builds live in `.builds/<stamp>/dist`; `dist` is a symlink to the current one. A build is
 * compiled into a fresh folder and only then renamed into place, and `dist` is switched with one
 * rename of a new symlink over it: a command already running keeps the folder it started from
 * (Node resolves `dist` to the real path when it loads a module), and one starting during a build
 * still finds a complete `dist`.
 */
export const BUILDS_DIR = '.builds';
/** Builds kept besides the current one whatever runs (for a checkout that goes back). */
const KEEP_PREVIOUS = 2;

export function currentBuild(root) {
  try {
    const match = /^\.builds\/([^/]+)\/dist$/.exec(readlinkSync(join(root, 'dist')));
    return match?.[1];
  } catch {
    return undefined;
  }
}

export function buildInfo(root, id) {
  try {
    return JSON.parse(readFileSync(join(root, BUILDS_DIR, id, 'build.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The most recent build's duration: the estimate for the progress bar of the next one. */
export function lastBuildMs(root) {
  const durations = listBuilds(root)
    .map((b) => buildInfo(root, b.id)?.durationMs)
    .filter((ms) => ms > 0);
  return durations[0];
}

/**
 * Makes `dist` the build of `id`: compiles it (into a fresh folder, under a lock so two commands
 * do not compile the same sources twice) unless it exists, switches `dist` to it and prunes old
 * builds no process uses. `compile(outDir)` writes a complete build into `outDir`.
 * Resolves to true when it compiled.
 */
export async function ensureBuild(root, id, { compile, onWait = () => {} }) {
  if (currentBuild(root) === id && buildInfo(root, id)) return false;
  const builds = join(root, BUILDS_DIR);
  mkdirSync(builds, { recursive: true });
  return withLock(builds, onWait, async () => {
    let compiled = false;
    if (!buildInfo(root, id)) {
      const tmp = join(builds, `.tmp-${process.pid}-${Date.now()}`);
      mkdirSync(tmp);
      try {
        const started = Date.now();
        await compile(join(tmp, 'dist'));
        writeFileSync(
          join(tmp, 'build.json'),
          JSON.stringify({ id, builtAt: new Date().toISOString(), durationMs: Date.now() - started }),
        );
        renameSync(tmp, join(builds, id));
        compiled = true;
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    activate(root, id);
    prune(root, id);
    return compiled;
  });
}

/**
 * Points `dist` at the build of `id` in one rename; a plain `dist` folder (built in place before) is moved aside first.
 */
function activate(root, id) {
  const dist = join(root, 'dist');
  const link = join(root, `.dist-${process.pid}`);
  rmSync(link, { force: true });
  symlinkSync(`${BUILDS_DIR}/${id}/dist`, link);
  let stat;
  try {
    stat = lstatSync(dist);
  } catch {
    // no dist yet
  }
  if (stat && !stat.isSymbolicLink()) {
    // rename cannot replace a folder with a symlink: keep the old build as a build of its own.
    const legacy = join(root, BUILDS_DIR, `in-place-${Date.now()}`);
    mkdirSync(legacy);
    renameSync(dist, join(legacy, 'dist'));
    writeFileSync(join(legacy, 'build.json'), JSON.stringify({ id: 'in-place', builtAt: stat.mtime.toISOString() }));
  }
  renameSync(link, dist);
  writeFileSync(join(root, BUILDS_DIR, id, 'activated'), String(Date.now()));
}

/** Builds, newest activation first. */
function listBuilds(root) {
  const builds = join(root, BUILDS_DIR);
  if (!existsSync(builds)) return [];
  return readdirSync(builds)
    .filter((name) => !name.startsWith('.'))
    .map((id) => ({ id, activatedAt: activatedAt(root, id) }))
    .sort((a, b) => b.activatedAt - a.activatedAt);
}

function activatedAt(root, id) {
  try {
    return Number(readFileSync(join(root, BUILDS_DIR, id, 'activated'), 'utf8')) || 0;
  } catch {
    return 0;
  }
}

/**
 * Removes builds beyond the current one and the KEEP_PREVIOUS before it, except those a live
 * process may be running from: one started from `.builds/<id>/…`, or one started from `dist/…`
 * before that build was replaced. Leftovers of interrupted builds go too.
 */
function prune(root, current) {
  const builds = join(root, BUILDS_DIR);
  for (const name of readdirSync(builds)) {
    const tmp = /^\.tmp-(\d+)-/.exec(name);
    if (tmp && !isAlive(Number(tmp[1]))) rmSync(join(builds, name), { recursive: true, force: true });
  }
  const list = listBuilds(root);
  const candidates = list.filter((b) => b.id !== current).slice(KEEP_PREVIOUS);
  if (candidates.length === 0) return;
  const using = processesUsing(root);
  if (using === undefined) {
    // No /proc to look in: keep what is kept whatever runs, drop the rest.
    for (const b of candidates) rmSync(join(builds, b.id), { recursive: true, force: true });
    return;
  }
  for (const b of candidates) {
    // The build that replaced this one was activated at `replacedAt`.
    const replacedAt = list[list.indexOf(b) - 1]?.activatedAt ?? Date.now();
    const inUse = using.some((p) => p.builds.includes(b.id) || (p.fromDist && p.startedAt <= replacedAt));
    if (!inUse) rmSync(join(builds, b.id), { recursive: true, force: true });
  }
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** A folder lock (mkdir is atomic): one build at a time per checkout; a dead owner's lock is taken over. */
async function withLock(builds, onWait, fn) {
  const lock = join(builds, '.lock');
  let waitedFor;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const owner = readOwner(lock);
      // No owner after a while: its process died between mkdir and writing the owner file.
      if (owner === undefined ? ageMs(lock) > 10_000 : !isAlive(owner)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (owner !== undefined && owner !== waitedFor) onWait(owner);
      waitedFor = owner;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const release = () => rmSync(lock, { recursive: true, force: true });
  process.once('exit', release);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', release);
    release();
  }
}

function ageMs(path) {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function readOwner(lock) {
  try {
    return Number(readFileSync(join(lock, 'owner'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}
