import { rollupNamed } from '@citypulse/storage';
import { groupRanges, lateBefore } from './late-intervals.js';

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

describe('groupRanges', () => {
  it('gathers late times into ranges of consecutive minutes per measurement', () => {
    const times = [at(3, 5), at(1, 59), at(2), at(2, 30), at(9, 1)].map((ms) => ({ measurement: 'building', ms }));
    expect(groupRanges(MINUTE, [...times, { measurement: 'energy', ms: at(2, 10) }])).toEqual([
      { measurement: 'building', fromMs: at(1), toMs: at(4) },
      { measurement: 'building', fromMs: at(9), toMs: at(10) },
      { measurement: 'energy', fromMs: at(2), toMs: at(3) },
    ]);
  });

  it('gives nothing for no times, and one range per lone interval', () => {
    expect(groupRanges(MINUTE, [])).toEqual([]);
    expect(groupRanges(60 * MINUTE, [{ measurement: 'traffic', ms: Date.UTC(2026, 11, 4, 20, 59, 59) }])).toEqual([
      { measurement: 'traffic', fromMs: Date.UTC(2026, 11, 4, 20), toMs: Date.UTC(2026, 11, 4, 21) },
    ]);
  });
});
