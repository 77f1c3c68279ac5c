import { WindowSchedule } from './window-schedule.js';
import { cronProblem, isKnownTimeZone } from './recurrence-checks.js';
import { inScope, type MaintenanceWindow, type Recurrence } from './maintenance-window.js';

const base = { id: 'w', city: 'berlin', createdBy: 'test', createdAt: '2026-01-01T00:00:00Z' };
const at = (iso: string) => Date.parse(iso);
const recurring = (recurrence: Recurrence, bounds: Partial<MaintenanceWindow> = {}) =>
  new WindowSchedule({ ...base, recurrence, ...bounds });
const iso = (opening: { startMs: number; endMs: number } | undefined) =>
  opening && { start: new Date(opening.startMs).toISOString(), end: new Date(opening.endMs).toISOString() };

describe('one-off window', () => {
  const schedule = new WindowSchedule({ ...base, startsAt: '2026-05-01T10:00:00Z', endsAt: '2026-05-01T12:00:00Z' });

  it('is open from its start (inclusive) to its end (exclusive)', () => {
    expect(schedule.openingAt(at('2026-05-01T09:59:59.999Z'))).toBeUndefined();
    expect(iso(schedule.openingAt(at('2026-05-01T10:00:00Z')))).toEqual({
      start: '2026-05-01T10:00:00.000Z',
      end: '2026-05-01T12:00:00.000Z',
    });
    expect(schedule.openingAt(at('2026-05-01T11:59:59.999Z'))).toBeDefined();
    expect(schedule.openingAt(at('2026-05-01T12:00:00Z'))).toBeUndefined();
  });

  it('is upcoming until it starts', () => {
    expect(iso(schedule.nextOpening(at('2026-04-30T00:00:00Z')))?.start).toBe('2026-05-01T10:00:00.000Z');
    expect(schedule.nextOpening(at('2026-05-01T10:30:00Z'))).toBeUndefined();
  });
});

describe('recurring window in Europe/Berlin (DST)', () => {
  const nightly = recurring({ cron: '0 22 * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 });

  it('opens at 22:00 local time in winter (UTC+1) and in summer (UTC+2)', () => {
    expect(iso(nightly.openingAt(at('2026-01-10T21:30:00Z')))).toEqual({
      start: '2026-01-10T21:00:00.000Z',
      end: '2026-01-10T22:00:00.000Z',
    });
    expect(nightly.openingAt(at('2026-01-10T22:00:00Z'))).toBeUndefined();
    expect(iso(nightly.openingAt(at('2026-07-10T20:30:00Z')))).toEqual({
      start: '2026-07-10T20:00:00.000Z',
      end: '2026-07-10T21:00:00.000Z',
    });
    // 23:30 CEST: in winter this instant would still be open (22:30 CET).
    expect(nightly.openingAt(at('2026-07-10T21:30:00Z'))).toBeUndefined();
  });

  it('a start in the hour skipped in spring (02:30 on 29 March 2026) opens at 03:30 CEST, then 02:30 again', () => {
    const early = recurring({ cron: '30 2 * * *', timeZone: 'Europe/Berlin', durationMinutes: 30 });
    expect(iso(early.nextOpening(at('2026-03-28T12:00:00Z')))).toEqual({
      start: '2026-03-29T01:30:00.000Z',
      end: '2026-03-29T02:00:00.000Z',
    });
    expect(early.openingAt(at('2026-03-29T00:45:00Z'))).toBeUndefined();
    expect(early.openingAt(at('2026-03-29T01:45:00Z'))).toBeDefined();
    expect(iso(early.nextOpening(at('2026-03-29T03:00:00Z')))?.start).toBe('2026-03-30T00:30:00.000Z');
  });

  it('a start in the hour repeated in autumn (02:30 on 25 October 2026) opens once, for elapsed minutes', () => {
    const early = recurring({ cron: '30 2 * * *', timeZone: 'Europe/Berlin', durationMinutes: 60 });
    // 02:30 CEST = 00:30Z; the clock then shows 02:30 again (CET) at 01:30Z: no second opening.
    expect(iso(early.openingAt(at('2026-10-25T01:15:00Z')))).toEqual({
      start: '2026-10-25T00:30:00.000Z',
      end: '2026-10-25T01:30:00.000Z',
    });
    expect(early.openingAt(at('2026-10-25T01:45:00Z'))).toBeUndefined();
    expect(iso(early.nextOpening(at('2026-10-25T00:31:00Z')))?.start).toBe('2026-10-26T01:30:00.000Z');
  });

  it('lasts its minutes of elapsed time across the spring change: 01:00 CET + 180 min ends at 05:00 CEST', () => {
    const long = recurring({ cron: '0 1 * * *', timeZone: 'Europe/Berlin', durationMinutes: 180 });
    expect(iso(long.openingAt(at('2026-03-29T02:30:00Z')))).toEqual({
      start: '2026-03-29T00:00:00.000Z',
      end: '2026-03-29T03:00:00.000Z',
    });
  });
});

describe('recurring window in Asia/Shanghai (no DST)', () => {
  const weekdays = recurring({ cron: '0 9 * * 1-5', timeZone: 'Asia/Shanghai', durationMinutes: 120 });

  it('opens at 09:00 CST = 01:00Z in January and in July alike, on weekdays only', () => {
    expect(iso(weekdays.openingAt(at('2026-01-12T02:00:00Z')))?.start).toBe('2026-01-12T01:00:00.000Z'); // Monday
    expect(iso(weekdays.openingAt(at('2026-07-13T02:59:59Z')))?.start).toBe('2026-07-13T01:00:00.000Z'); // Monday
    expect(weekdays.openingAt(at('2026-07-13T03:00:00Z'))).toBeUndefined();
    expect(weekdays.openingAt(at('2026-07-11T02:00:00Z'))).toBeUndefined(); // Saturday
  });

  it('keeps to its bounds: no opening before startsAt, an opening cut at endsAt', () => {
    const bounded = recurring(
      { cron: '0 9 * * *', timeZone: 'Asia/Shanghai', durationMinutes: 120 },
      { startsAt: '2026-01-13T00:00:00Z', endsAt: '2026-01-14T02:00:00Z' },
    );
    expect(bounded.openingAt(at('2026-01-12T01:30:00Z'))).toBeUndefined();
    expect(iso(bounded.nextOpening(at('2026-01-12T01:30:00Z')))?.start).toBe('2026-01-13T01:00:00.000Z');
    expect(iso(bounded.openingAt(at('2026-01-14T01:30:00Z')))).toEqual({
      start: '2026-01-14T01:00:00.000Z',
      end: '2026-01-14T02:00:00.000Z',
    });
    expect(bounded.openingAt(at('2026-01-14T02:00:00Z'))).toBeUndefined();
    expect(bounded.nextOpening(at('2026-01-14T02:00:00Z'))).toBeUndefined();
  });
});

describe('remembered spans', () => {
  it('answer exactly as a fresh computation would, for times in any order', () => {
    const recurrence = { cron: '*/20 6-9 * * *', timeZone: 'Europe/Berlin', durationMinutes: 7 };
    const remembering = recurring(recurrence);
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const start = at('2026-03-28T00:00:00Z');
    let opened = 0;
    for (let i = 0; i < 150; i++) {
      // Mostly nearby times (as readings come), sometimes far jumps.
      const t =
        start +
        Math.floor(i % 10 === 0 ? random() * 3 * 86_400_000 : random() * 3_600_000 + (i * 86_400_000 * 3) / 150);
      const fresh = recurring(recurrence).openingAt(t);
      expect(remembering.openingAt(t)).toEqual(fresh);
      if (fresh) opened++;
    }
    expect(opened).toBeGreaterThan(0);
  });
});

describe('recurrence checks', () => {
  it('names what is wrong with a cron expression', () => {
    expect(cronProblem('0 22 * * 1-5')).toBeUndefined();
    expect(cronProblem('61 * * * *')).toMatch(/not a valid expression/);
    expect(cronProblem('0 22 * *')).toMatch(/five fields/);
    expect(cronProblem('0 0 22 * * *')).toMatch(/five fields/);
    expect(cronProblem('0 9 L * *')).toMatch(/not supported/);
    expect(cronProblem('0 9 * * 1#2')).toMatch(/not supported/);
  });

  it('knows IANA time zones', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('scope', () => {
  const device = { deviceId: 'bj-1', deviceType: 'env-sensor', city: 'beijing', site: 'bj-tower-1' };
  it('matches a device when every given part of the scope does', () => {
    expect(inScope({ ...base, city: 'beijing' }, device)).toBe(true);
    expect(inScope({ ...base, city: 'beijing', site: 'bj-tower-1', deviceType: 'env-sensor' }, device)).toBe(true);
    expect(inScope({ ...base, city: 'beijing', deviceIds: ['bj-2', 'bj-1'] }, device)).toBe(true);
    expect(inScope({ ...base, city: 'tianjin' }, device)).toBe(false);
    expect(inScope({ ...base, city: 'beijing', site: 'bj-tower-2' }, device)).toBe(false);
    expect(inScope({ ...base, city: 'beijing', deviceType: 'water-meter' }, device)).toBe(false);
    expect(inScope({ ...base, city: 'beijing', deviceIds: ['bj-2'] }, device)).toBe(false);
  });
});
