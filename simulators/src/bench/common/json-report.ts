import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Writes a bench's report as `<dir>/<bench>-<timestamp>.json` and returns the absolute path. */
export function writeJsonReport(bench: string, report: unknown, dir: string, stamp: string): string {
  mkdirSync(dir, { recursive: true });
  const file = resolve(join(dir, `${bench}-${stamp}.json`));
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  return file;
}
