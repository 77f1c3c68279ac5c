#!/usr/bin/env node
/**
 * Writes scripts/jest/durations.json, the test files' run times the jest sequencer orders by on a
 * machine without jest's cache (scripts/jest/sequencer.js), from a full run's JSON report:
 *
 *   npm run jest -- --ci --maxWorkers=3 --json --outputFile=/tmp/jest.json
 *   node scripts/jest/durations.mjs /tmp/jest.json           write the table, print the 20 longest
 *   node scripts/jest/durations.mjs /tmp/jest.json <dir>     the same, for a report of a run in another checkout
 *
 * Times are in ms, rounded to 100 ms; only their order matters.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const [report, ranIn = root] = process.argv.slice(2);
if (!report) {
  console.error('usage: node scripts/jest/durations.mjs <jest --json report>');
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, 'utf8'));
const times = testResults
  .map((r) => [relative(ranIn, r.name), Math.round((r.endTime - r.startTime) / 100) * 100])
  .sort(([a, ta], [b, tb]) => tb - ta || (a < b ? -1 : 1));
writeFileSync(join(root, 'scripts/jest/durations.json'), `${JSON.stringify(Object.fromEntries(times), null, 2)}\n`);
for (const [file, ms] of times.slice(0, 20)) console.log(`${(ms / 1000).toFixed(1).padStart(6)} s  ${file}`);
