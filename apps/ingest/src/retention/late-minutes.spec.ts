import { LateMinutes } from './late-minutes.js';

const MINUTE = 60_000;
const at = (minute: number, second = 0) => Date.UTC(2026, 11, 4, 22, minute, second);

describe('LateMinutes', () => {
  it('calls a reading late once the last 1-minute query covering its minute has run (FOR 2m, 10 s margin)', () => {
    // Stored at 22:05:30: the run at 22:05 was the last over 22:03; 22:04 is covered again at 22:06.
    const before = LateMinutes.lateBefore(at(5, 30));
    expect(before).toBe(at(4));
    expect(at(3, 59) < before).toBe(true);
    expect(at(4, 0) < before).toBe(false);
    // Within 10 s of the run at 22:06, 22:04 counts as late too.
    expect(LateMinutes.lateBefore(at(5, 50))).toBe(at(5));
    expect(LateMinutes.lateBefore(at(5, 49))).toBe(at(4));
  });

  it('gathers late minutes into ranges of consecutive minutes per measurement, and forgets them once taken', () => {
    const late = new LateMinutes();
    for (const ms of [at(3, 5), at(1, 59), at(2), at(2, 30), at(9, 1)]) late.note('building', ms);
    late.note('energy', at(2, 10));
    expect(late.size).toBe(5);
    expect(late.take()).toEqual([
      { measurement: 'building', fromMs: at(1), toMs: at(4) },
      { measurement: 'building', fromMs: at(9), toMs: at(10) },
      { measurement: 'energy', fromMs: at(2), toMs: at(3) },
    ]);
    expect(late.take()).toEqual([]);
  });

  it('takes back ranges a failed repair returns, merged with minutes noted since', () => {
    const late = new LateMinutes();
    late.note('traffic', at(1));
    const failed = late.take();
    late.note('traffic', at(3));
    late.restore(failed);
    late.note('traffic', at(2) + MINUTE - 1);
    expect(late.take()).toEqual([{ measurement: 'traffic', fromMs: at(1), toMs: at(4) }]);
  });
});
