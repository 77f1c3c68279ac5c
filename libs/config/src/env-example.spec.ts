import { readFileSync } from 'node:fs';
import { EnvSchema } from './env.schema.js';

describe('.env.example', () => {
  // The README sends operators there for "every variable with its default".
  const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
  const listed = new Set([...example.matchAll(/^#?\s*(CP_[A-Z0-9_]+)=/gm)].map((m) => m[1]));

  it('lists every variable the schema reads', () => {
    const variables = Object.keys(new EnvSchema()).filter((name) => name.startsWith('CP_'));
    expect(variables.length).toBeGreaterThan(50);
    expect(variables.filter((name) => !listed.has(name))).toEqual([]);
  });
});
