/**
 * Rewrites the generated catalogue section of devices/README.md from the catalogue.
 * Run from the repository root: npm run build && node dist/devices/scripts/write-catalogue-table.js
 * (devices/scripts/readme.spec.ts fails when the README and the catalogue disagree.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deviceTypes } from '@citypulse/devices';
import { CATALOGUE_BEGIN, CATALOGUE_END, renderCatalogue } from './catalogue-table.js';

const readmePath = resolve('devices/README.md');
const readme = readFileSync(readmePath, 'utf8');
const begin = readme.indexOf(CATALOGUE_BEGIN);
const end = readme.indexOf(CATALOGUE_END);
if (begin < 0 || end < begin) throw new Error('devices/README.md lacks the catalogue markers');
const table = renderCatalogue(Object.values(deviceTypes));
writeFileSync(readmePath, `${readme.slice(0, begin + CATALOGUE_BEGIN.length)}\n${table}\n${readme.slice(end)}`);
console.log(`devices/README.md: catalogue section rewritten (${Object.keys(deviceTypes).length} device types)`);
