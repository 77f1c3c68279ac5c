import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { REJECTION_REASONS, type DeviceTopicKind } from '@citypulse/contracts';
import { deviceTypes } from '@citypulse/devices';
import { CATALOGUE_BEGIN, CATALOGUE_END, renderCatalogue } from './catalogue-table.js';

// Jest runs from the repository root (jest.config.js); the README is the firmware authors' contract.
const readme = readFileSync(resolve('devices/README.md'), 'utf8');

describe('devices/README.md', () => {
  it('shows the catalogue exactly as the code defines it (regenerate with scripts/write-catalogue-table.ts)', () => {
    const begin = readme.indexOf(CATALOGUE_BEGIN) + CATALOGUE_BEGIN.length;
    const end = readme.indexOf(CATALOGUE_END);
    expect(readme.slice(begin, end).trim()).toBe(renderCatalogue(Object.values(deviceTypes)));
  });

  it('names every field of every device type', () => {
    for (const type of Object.values(deviceTypes)) {
      for (const field of Object.keys(type.fields)) expect(readme).toContain(`| \`${field}\` |`);
    }
  });

  it.each([...REJECTION_REASONS])('explains the rejection reason %s in the reasons table', (reason) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${reason}\` \\| [^|]+ \\| .{20,} \\|$`, 'm'));
  });

  it.each<DeviceTopicKind>(['telemetry', 'errors', 'state', 'config', 'commands', 'command-acks'])(
    'documents the devices/{id}/%s topic',
    (kind) => {
      expect(readme).toContain(`\`devices/{id}/${kind}\``);
    },
  );
});
