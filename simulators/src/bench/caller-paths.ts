import { isAbsolute, resolve } from 'node:path';

/** Bench options whose value is a path. */
const PATH_OPTIONS = new Set(['--out-dir', '--entry']);
/** Commands whose positional arguments are files (besides a count: `profile <file> [top]`). */
const FILE_COMMANDS = new Set(['profile', 'profile-compare']);

/**
 * The bench runs in the repository, where its defaults (.bench/, dist/) are; paths typed on the
 * command line are the caller's, so relative ones are made absolute against the caller's
 * directory (npm's INIT_CWD) before the bench sees them.
 */
export function resolveCallerPaths(command: string, args: readonly string[], callerDir: string): string[] {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(callerDir, path));
  return args.map((arg, i) => {
    const [name, value] = arg.split(/=(.*)/s, 2);
    if (value !== undefined && PATH_OPTIONS.has(name)) return `${name}=${absolute(value)}`;
    if (i > 0 && PATH_OPTIONS.has(args[i - 1])) return absolute(arg);
    if (FILE_COMMANDS.has(command) && !arg.startsWith('-') && !/^\d+$/.test(arg)) return absolute(arg);
    return arg;
  });
}
