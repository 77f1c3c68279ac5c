import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** What `tsc -p tsconfig.build.json` compiles (its include), and the assets the build copies. */
const SOURCE_DIRS = ['apps', 'libs', 'devices', 'simulators', 'bench'];
const COMPILED = /\.(ts|mts|json)$/;
/** tsconfig.build.json's exclude: tests are never compiled into dist/. */
const EXCLUDED = /(\.spec\.ts|\.int-test\.ts|\.contract\.ts)$/;
const ASSET_DIR = `apps${sep}api${sep}src${sep}console${sep}public${sep}`;
/** Files outside the source folders that change what the build emits. */
const SETTINGS = [
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'scripts/build.mjs',
  'scripts/build/compile.mjs',
];

/**
 * A content hash of everything the build reads: equal sources give an equal stamp, so a checkout
 * that goes back to earlier sources finds its build again, and touching a file rebuilds nothing.
 */
export function sourceStamp(root) {
  const hash = createHash('sha256');
  const add = (path) => {
    hash.update(relative(root, path).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(path));
    hash.update('\0');
  };
  for (const file of SETTINGS) {
    try {
      add(join(root, file));
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
  }
  // package.json's "type" decides the module format tsc emits; its scripts do not matter.
  hash.update(`type=${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).type}\0`);
  for (const dir of SOURCE_DIRS) for (const file of sourceFiles(root, dir)) add(file);
  return hash.digest('hex').slice(0, 16);
}

function sourceFiles(root, dir) {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { recursive: true, withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') return [];
    throw err;
  }
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    const rel = relative(root, path);
    const parts = rel.split(sep);
    if (parts.includes('node_modules') || parts.includes('test')) continue;
    if (rel.startsWith(ASSET_DIR) || (COMPILED.test(entry.name) && !EXCLUDED.test(entry.name))) files.push(path);
  }
  // readdir's order is the file system's: sort so the stamp depends on content only.
  return files.sort();
}
