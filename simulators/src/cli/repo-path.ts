import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The repository this CLI was built from (the nearest folder with a package.json above this
 * module, wherever the build lives). The CLI runs in the caller's directory, so what belongs to
 * the checkout — the token `npm start` wrote, the device secrets — is found from here instead.
 */
export function repoRoot(): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}

/** A path of the checkout's own state (`.stack/api-token`, `.sim/credentials.json`), absolute. */
export function repoPath(relative: string): string {
  return resolve(repoRoot(), relative);
}
