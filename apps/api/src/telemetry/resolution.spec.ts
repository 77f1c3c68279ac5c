import { ROLLUPS } from '@citypulse/storage';
import { chooseResolution, RAW_MAX_RANGE_MS, type RollupsOnServer } from './resolution.js';
import { resolveWindow, type TimeWindow } from './interval.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.parse('2026-12-03T04:30:00Z');
const both: RollupsOnServer = { policies: new Set(['autogen', 'rollup_1m', 'rollup_1h']), rawRetentionMs: 30 * DAY };
const windowOf = (rangeMs: number, every?: string, toMs = now): TimeWindow => {
  const w = resolveWindow(
    { from: new Date(toMs - rangeMs).toISOString(), to: new Date(toMs).toISOString(), every },
    now,
  );
  if ('field' in w) throw new Error(w.message);
  return w;
};

describe('telemetry resolution', () => {
  it('reads raw readings for ranges up to 6 hours, whatever the interval', () => {
    expect(chooseResolution(windowOf(HOUR), both, now)).toMatchObject({ resolution: 'raw', window: windowOf(HOUR) });
    expect(chooseResolution(windowOf(RAW_MAX_RANGE_MS, '1h'), both, now).resolution).toBe('raw');
  });

  it('reads the 1-hour rollup for a 7-day chart (2h intervals) and the 1-minute one for a day (15m)', () => {
    expect(chooseResolution(windowOf(7 * DAY), both, now)).toMatchObject({
      resolution: '1h',
      rollup: ROLLUPS.find((r) => r.name === '1h'),
    });
    expect(windowOf(7 * DAY).every).toBe('2h');
    expect(chooseResolution(windowOf(DAY), both, now)).toMatchObject({
      resolution: '1m',
      rollup: { retentionPolicy: 'rollup_1m' },
    });
    expect(chooseResolution(windowOf(DAY, '1d'), both, now).resolution).toBe('1h');
    expect(chooseResolution(windowOf(DAY, '90m'), both, now).resolution).toBe('1m');
  });

  it('reads raw when the interval is not whole minutes, even over a long range', () => {
    expect(chooseResolution(windowOf(DAY, '90s'), both, now).resolution).toBe('raw');
    expect(chooseResolution(windowOf(7 * HOUR, '30s'), both, now).resolution).toBe('raw');
  });

  it('reads a rollup for a short range older than the raw retention', () => {
    const old = windowOf(HOUR, '5m', now - 40 * DAY);
    expect(chooseResolution(old, both, now).resolution).toBe('1m');
    expect(chooseResolution(old, { ...both, rawRetentionMs: Number.POSITIVE_INFINITY }, now).resolution).toBe('raw');
    expect(chooseResolution(windowOf(HOUR, '30s', now - 40 * DAY), both, now)).toMatchObject({
      resolution: 'raw',
      note: expect.stringContaining('kept for a shorter time'),
    });
    expect(chooseResolution(windowOf(HOUR, '30s'), both, now).note).toBeUndefined();
  });

  it('widens a rollup’s window to whole rollup intervals, and says so in the window', () => {
    const w = windowOf(7 * DAY, '2h', now);
    const choice = chooseResolution(w, both, now);
    expect(choice.window).toEqual({
      ...w,
      fromMs: Date.parse('2026-11-26T04:00:00Z'),
      toMs: Date.parse('2026-12-03T05:00:00Z'),
    });
  });

  it('falls back to raw, saying why, when the rollup does not exist on the server', () => {
    const none: RollupsOnServer = {
      policies: new Set(['autogen', 'rollup_1m']),
      rawRetentionMs: Number.POSITIVE_INFINITY,
    };
    expect(chooseResolution(windowOf(7 * DAY), none, now)).toMatchObject({
      resolution: 'raw',
      window: windowOf(7 * DAY),
      note: expect.stringContaining('no retention policy rollup_1h'),
    });
    const failed: RollupsOnServer = {
      policies: new Set(),
      rawRetentionMs: Number.POSITIVE_INFINITY,
      error: 'SHOW RETENTION POLICIES failed: 404',
    };
    expect(chooseResolution(windowOf(DAY), failed, now).note).toMatch(
      /the 1m rollup is not available \(SHOW RETENTION POLICIES failed: 404\)/,
    );
  });
});
