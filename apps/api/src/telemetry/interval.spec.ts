import { defaultEvery, intervalCount, intervalMs, MAX_INTERVALS, resolveWindow } from './interval.js';

describe('telemetry intervals', () => {
  it('reads s, m, h and d intervals and refuses anything else', () => {
    expect(intervalMs('10s')).toBe(10_000);
    expect(intervalMs('5m')).toBe(300_000);
    expect(intervalMs('2h')).toBe(7_200_000);
    expect(intervalMs('1d')).toBe(86_400_000);
    for (const bad of ['0s', '5', 'm', '1.5m', '5ms', '1w', ' 5m', '-1m']) expect(intervalMs(bad)).toBeNaN();
  });

  it('counts intervals aligned to the epoch, so a range that straddles a boundary needs one more', () => {
    expect(intervalCount(0, 3_600_000, 60_000)).toBe(60);
    expect(intervalCount(30_000, 3_630_000, 60_000)).toBe(61);
  });

  it('picks about 120 points by default: 30s for the last hour, 15m for a day, 2h for a week', () => {
    expect(defaultEvery(3_600_000)).toBe('30s');
    expect(defaultEvery(86_400_000)).toBe('15m');
    expect(defaultEvery(7 * 86_400_000)).toBe('2h');
  });

  it('defaults to the last hour before now at 30s', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(resolveWindow({}, now)).toEqual({ fromMs: now - 3_600_000, toMs: now, every: '30s', everyMs: 30_000 });
  });

  it('names every when the range would produce more than the bound of intervals', () => {
    const problem = resolveWindow(
      { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', every: '10s' },
      Date.now(),
    );
    expect(problem).toMatchObject({ field: 'every', message: expect.stringContaining(`at most ${MAX_INTERVALS}`) });
    expect(
      resolveWindow({ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', every: '1m' }, Date.now()),
    ).toMatchObject({ every: '1m' });
  });

  it('names from when the range is empty or backwards', () => {
    expect(resolveWindow({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, Date.now())).toMatchObject({
      field: 'from',
    });
    expect(resolveWindow({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, Date.now())).toMatchObject({
      field: 'from',
    });
  });
});
