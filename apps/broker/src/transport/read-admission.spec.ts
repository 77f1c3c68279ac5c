import { ReadAdmission } from './read-admission.js';

describe('ReadAdmission', () => {
  it('is full from its cap on, and has room again once readings are released (each release once)', () => {
    const admission = new ReadAdmission(10);
    admission.hold(9);
    expect(admission.full).toBe(false);
    const release = admission.hold(1);
    expect(admission.full).toBe(true);
    release();
    release();
    expect(admission.full).toBe(false);
    // Released once: 9 still held, so one more fills it again.
    admission.hold(1);
    expect(admission.full).toBe(true);
  });

  it('resumes waiting connections in the order they came, only while there is room', () => {
    const admission = new ReadAdmission(10);
    const first = admission.hold(5);
    const second = admission.hold(5);
    const resumed: string[] = [];
    // A resumed connection parses at once and holds its readings before the next is asked.
    const releases: Array<() => void> = [];
    for (const name of ['a', 'b', 'c'])
      admission.wait(() => {
        resumed.push(name);
        releases.push(admission.hold(4));
      });
    first();
    // a (5 + 4 = 9 held) fits; then b holds 13, and c waits for the next release.
    expect(resumed).toEqual(['a', 'b']);
    expect(admission.waitingConnections).toBe(1);
    second();
    releases[0]();
    expect(resumed).toEqual(['a', 'b', 'c']);
    expect(admission.waitingConnections).toBe(0);
  });

  it('keeps first-come order across many waits and resumes (no connection is skipped or resumed twice)', () => {
    const admission = new ReadAdmission(1);
    let release = admission.hold(1);
    const resumed: number[] = [];
    for (let i = 0; i < 1000; i++)
      admission.wait(() => {
        resumed.push(i);
        release = admission.hold(1);
      });
    // Each release lets exactly one waiting connection in, which then holds one reading.
    for (let i = 0; i < 1000; i++) {
      release();
      expect(resumed).toHaveLength(i + 1);
    }
    expect(resumed).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(admission.waitingConnections).toBe(0);
  });
});
