import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

/** Linux reports process start times in clock ticks; 100 a second on every common architecture. */
const TICKS_PER_SECOND = 100;

/**
 * The live processes that may run code from this checkout's builds: those naming
 * `.builds/<id>/` on their command line, and those started from `dist/…` (which build that is
 * depends on when they started). undefined where there is no /proc to look in.
 */
export function processesUsing(root) {
  let pids;
  let bootMs;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
    bootMs = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))[1]) * 1000;
  } catch {
    return undefined;
  }
  const found = [];
  for (const pid of pids) {
    try {
      const args = readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0');
      const builds = args.flatMap((arg) => [...arg.matchAll(/\.builds\/([^/]+)\//g)].map((m) => m[1]));
      const fromDist = args.some(
        (arg) => arg.startsWith(join(root, 'dist') + '/') || (arg.startsWith('dist/') && cwdOf(pid) === root),
      );
      if (builds.length === 0 && !fromDist) continue;
      // Field 22 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
      const stat = readFileSync(join('/proc', pid, 'stat'), 'utf8');
      const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      found.push({ pid: Number(pid), builds, fromDist, startedAt: bootMs + (ticks / TICKS_PER_SECOND) * 1000 });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

function cwdOf(pid) {
  try {
    return readlinkSync(join('/proc', pid, 'cwd'));
  } catch {
    return undefined;
  }
}
