// Jest's order of test files (jest.config.js testSequencer): the longest first, so that on two workers
// no long suite starts near the end and leaves the other worker idle. Jest's own sequencer does this
// from the durations it cached on an earlier run on this machine; a fresh clone (CI) has none and
// falls back to file size, which says little here (a short file can start six processes). So a file
// jest has no cached time for takes its time from scripts/jest/durations.json, measured on a full
// run (node scripts/jest/durations.mjs); files in neither run first, as jest runs new files first.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import Sequencer from '@jest/test-sequencer';

const table = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));

export default class LongestFirst extends Sequencer {
  time(test) {
    return super.time(test) ?? table[relative(test.context.config.rootDir, test.path)];
  }
}
