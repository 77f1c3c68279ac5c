import type { HandoffEntryContent } from '@citypulse/handoff';
import { writeBodies } from './write-bodies.js';

const entry = (name: string, lines: number): HandoffEntryContent => ({
  lp: Array.from({ length: lines }, (_, i) => `m,device_id=${name} v=${i} ${i}`).join('\n'),
  lines,
});

describe('writeBodies', () => {
  it('joins whole entries, in order, into writes of at most maxLines lines', () => {
    const entries = [entry('a', 3), entry('b', 4), entry('c', 2), entry('d', 5)];
    const bodies = writeBodies(entries, 9);
    expect(bodies.map((b) => b.lines)).toEqual([9, 5]);
    expect(bodies[0].text).toBe([entries[0].lp, entries[1].lp, entries[2].lp].join('\n'));
    expect(bodies[1].text).toBe(entries[3].lp);
    // Every line once, in order, and each body's count is its text's.
    const all = entries.flatMap((e) => e.lp.split('\n'));
    expect(bodies.flatMap((b) => b.text.split('\n'))).toEqual(all);
    for (const body of bodies) expect(body.text.split('\n')).toHaveLength(body.lines);
  });

  it('writes an entry larger than maxLines on its own, never splitting it', () => {
    const bodies = writeBodies([entry('a', 2), entry('b', 12), entry('c', 1)], 10);
    expect(bodies.map((b) => b.lines)).toEqual([2, 12, 1]);
  });

  it('makes no write of an empty batch', () => {
    expect(writeBodies([], 10)).toEqual([]);
  });
});
