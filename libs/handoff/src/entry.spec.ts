import { encodeEntries, type Companion, type CompanionMerge } from './entry.js';

const line = (device: string, t: number, v = t) =>
  `energy,city=tianjin,device_id=${device},device_type=electricity-meter,site=tj-1 voltage=${v} ${t}000000`;
/** A companion naming its publish and the part of it asked for. */
const part =
  (name: string): Companion =>
  (from, to) =>
    `${name}[${from},${to})`;

describe('hand-off entries', () => {
  it('keeps lines in publish order and splits at the entry size limit, even inside one publish', () => {
    const entries = encodeEntries(
      [{ lines: [line('m1', 1), line('m1', 2), line('m1', 3)] }, { lines: [line('s1', 4), line('s1', 5)] }],
      2,
    );
    expect(entries.map((e) => e.n)).toEqual([2, 2, 1]);
    expect(entries.flatMap((e) => e.lp.split('\n'))).toEqual(
      [1, 2, 3].map((t) => line('m1', t)).concat([4, 5].map((t) => line('s1', t))),
    );
    expect(entries.every((e) => e.companion === undefined)).toBe(true);
  });

  it('carries each publish’s companion beside its lines, asking for one text per entry a publish lands in', () => {
    const entries = encodeEntries(
      [
        { lines: [line('m1', 1), line('m1', 2), line('m1', 3)], companion: part('m1') },
        { lines: [line('s1', 4)], companion: part('s1') },
        { lines: [line('s2', 5), line('s2', 6)], companion: part('s2') },
      ],
      2,
    );
    expect(entries.map((e) => [e.n, e.companion])).toEqual([
      [2, 'm1[0,2)'],
      [2, 'm1[2,3)\ns1[0,1)'],
      [2, 's2[0,2)'],
    ]);
  });

  it('never mixes publishes with and without a companion in one entry', () => {
    const entries = encodeEntries(
      [
        { lines: [line('old', 1)] },
        { lines: [line('m1', 2)], companion: part('m1') },
        { lines: [line('m2', 3)], companion: part('m2') },
        { lines: [line('old', 4)] },
      ],
      100,
    );
    expect(entries.map((e) => [e.n, e.companion])).toEqual([
      [1, undefined],
      [2, 'm1[0,1)\nm2[0,1)'],
      [1, undefined],
    ]);
  });

  it('passes each entry’s companion texts through the merge, never merging across entries', () => {
    // Side-by-side texts of one device merge (`m1[0,1)+m1[0,2)`); another device's in between stops it.
    const sameDevice: CompanionMerge = (texts) =>
      texts.reduce<string[]>((merged, text) => {
        const last = merged.length - 1;
        if (last >= 0 && merged[last].slice(0, 2) === text.slice(0, 2)) merged[last] += `+${text}`;
        else merged.push(text);
        return merged;
      }, []);
    const entries = encodeEntries(
      [
        { lines: [line('m1', 1)], companion: part('m1') },
        { lines: [line('m1', 2), line('m1', 3)], companion: part('m1') },
        { lines: [line('s1', 4)], companion: part('s1') },
        { lines: [line('m1', 5)], companion: part('m1') },
        { lines: [line('m1', 6)], companion: part('m1') },
        { lines: [line('m1', 7)], companion: part('m1') },
      ],
      5,
      sameDevice,
    );
    expect(entries.map((e) => [e.n, e.companion])).toEqual([
      [5, 'm1[0,1)+m1[0,2)\ns1[0,1)\nm1[0,1)'],
      [2, 'm1[0,1)+m1[0,1)'],
    ]);
  });

  it('refuses a companion text of more than one line', () => {
    expect(() => encodeEntries([{ lines: [line('m1', 1)], companion: () => 'a\nb' }], 10)).toThrow(/one line/);
  });
});
