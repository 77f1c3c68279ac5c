import { rollupNamed } from '@citypulse/storage';
import { LateIntervals, lateBefore } from './late-intervals.js';

const MINUTE = 60_000;
const at = (minute: number, second = 0) => Date.UTC(2026, 11, 4, 22, minute, second);
const minutely = rollupNamed('1m');
const hourly = rollupNamed('1h');

describe('late readings', () => {
  it('calls a reading late once its minute was computed (30 s after it ended, 10 s margin)', () => {
    // 22:04 is computed at 22:05:30: a reading of it stored at 22:05:19 is in time, at 22:05:20 late.
    expect(lateBefore(minutely, at(5, 19))).toBe(at(4));
    expect(lateBefore(minutely, at(5, 20))).toBe(at(5));
    expect(lateBefore(minutely, at(6, 19))).toBe(at(5));
  });

  it('leaves an hour to its continuous query until two hours after it began', () => {
    const hour = Date.UTC(2026, 11, 4, 20);
    expect(lateBefore(hourly, Date.UTC(2026, 11, 4, 21, 59, 49))).toBe(hour);
    expect(lateBefore(hourly, Date.UTC(2026, 11, 4, 21, 59, 50))).toBe(hour + 3_600_000);
  });
});

describe('LateIntervals', () => {
  it('gathers late minutes into ranges of consecutive minutes per measurement, and forgets them once taken', () => {
    const late = new LateIntervals(MINUTE);
    for (const ms of [at(3, 5), at(1, 59), at(2), at(2, 30), at(9, 1)]) late.note('building', ms, 0);
    late.note('energy', at(2, 10), 0);
    expect(late.size).toBe(5);
    expect(late.take()).toEqual([
      { measurement: 'building', fromMs: at(1), toMs: at(4) },
      { measurement: 'building', fromMs: at(9), toMs: at(10) },
      { measurement: 'energy', fromMs: at(2), toMs: at(3) },
    ]);
    expect(late.take()).toEqual([]);
    expect(late.size).toBe(0);
  });

  it('takes only the minutes no late reading has touched since a time: a backlog still draining waits', () => {
    const late = new LateIntervals(MINUTE);
    late.note('building', at(1), 1000);
    late.note('building', at(2), 1000);
    late.note('building', at(2, 40), 5000);
    expect(late.take(2000)).toEqual([{ measurement: 'building', fromMs: at(1), toMs: at(2) }]);
    expect(late.size).toBe(1);
    expect(late.take(6000)).toEqual([{ measurement: 'building', fromMs: at(2), toMs: at(3) }]);
  });

  it('takes back ranges a failed repair returns, merged with minutes noted since', () => {
    const late = new LateIntervals(MINUTE);
    late.note('traffic', at(1), 0);
    const failed = late.take();
    late.note('traffic', at(3), 0);
    late.restore(failed, 0);
    late.note('traffic', at(2) + MINUTE - 1, 0);
    expect(late.take()).toEqual([{ measurement: 'traffic', fromMs: at(1), toMs: at(4) }]);
  });
});
