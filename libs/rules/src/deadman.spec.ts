import { deadmanReadings, deadmanSilenceUntil, evaluateDeadman, silenceStatus, type DeadmanRule } from './deadman.js';

const noData: DeadmanRule = {
  id: 'env-sensor.no-data',
  deviceType: 'env-sensor',
  field: '',
  condition: { kind: 'deadman', afterSeconds: 300 },
  forSeconds: 0,
  severity: 'warning',
  enabled: true,
};
const offline: DeadmanRule = {
  ...noData,
  id: 'env-sensor.offline',
  condition: { kind: 'deadman', afterSeconds: 120, when: 'offline' },
};
const t0 = 1_700_000_000_000;
const at = (seconds: number) => t0 + seconds * 1000;

describe('silenceStatus against the reporting interval', () => {
  const seen = (quietS: number, online?: boolean) => ({
    nowMs: at(quietS),
    lastSeenMs: t0,
    presence: online === undefined ? undefined : { online },
  });

  it('tells reporting, late, connected-but-silent and disconnected apart', () => {
    expect(silenceStatus(seen(60, true), 60)).toBe('reporting');
    expect(silenceStatus(seen(90, true), 60)).toBe('reporting');
    expect(silenceStatus(seen(91, true), 60)).toBe('late');
    expect(silenceStatus(seen(180, true), 60)).toBe('silent');
    expect(silenceStatus(seen(5, false), 60)).toBe('disconnected');
  });
});

describe('deadman rules', () => {
  it('raises once a device has sent nothing for exactly afterSeconds, not a second before', () => {
    expect(evaluateDeadman(noData, undefined, { nowMs: at(299), lastSeenMs: t0 }).transition).toBeUndefined();
    const raised = evaluateDeadman(noData, undefined, { nowMs: at(300), lastSeenMs: t0, presence: { online: true } });
    expect(raised.transition).toEqual({ kind: 'raised', atMs: at(300), value: 300, cause: 'silent' });
  });

  it('says the device is disconnected when presence says so', () => {
    const raised = evaluateDeadman(noData, undefined, {
      nowMs: at(400),
      lastSeenMs: t0,
      presence: { online: false, changedAtMs: at(10) },
    });
    expect(raised.transition?.cause).toBe('disconnected');
  });

  it('keeps one alert open across checks, and updates it only when the cause changes', () => {
    const raised = evaluateDeadman(noData, undefined, { nowMs: at(300), lastSeenMs: t0 });
    const same = evaluateDeadman(noData, raised.state, { nowMs: at(330), lastSeenMs: t0 });
    expect(same.transition).toBeUndefined();
    expect(same.state).toMatchObject({ phase: 'firing', count: 2, lastValue: 330 });
    const later = evaluateDeadman(noData, same.state, { nowMs: at(360), lastSeenMs: t0, presence: { online: false } });
    expect(later.transition).toEqual({ kind: 'updated', atMs: at(360), value: 360, cause: 'disconnected' });
    expect(later.state).toMatchObject({ phase: 'firing', count: 3, peak: 360 });
  });

  it('resolves when a fresh reading arrives, and never from a backfilled old one', () => {
    const raised = evaluateDeadman(noData, undefined, { nowMs: at(300), lastSeenMs: t0 });
    const backfill = deadmanReadings(noData, raised.state, at(-100), at(310));
    expect(backfill.transition).toBeUndefined();
    expect(backfill.state.phase).toBe('firing');
    const fresh = deadmanReadings(noData, backfill.state, at(309), at(310));
    expect(fresh.transition).toEqual({ kind: 'resolved', atMs: at(310), value: 1 });
  });

  it('never raises from the reading path, even for an old first reading', () => {
    const old = deadmanReadings(noData, undefined, at(-3600), at(0));
    expect(old.transition).toBeUndefined();
    expect(old.state.lastEventMs).toBe(at(-3600));
  });

  it('does not let a device clock running ahead hide its silence', () => {
    const ahead = deadmanReadings(noData, undefined, at(240), at(0));
    expect(ahead.state.lastEventMs).toBe(at(0));
    expect(evaluateDeadman(noData, ahead.state, { nowMs: at(300), lastSeenMs: 0 }).transition?.kind).toBe('raised');
  });

  it('offline rules count from the disconnect and clear on reconnect, even before a reading', () => {
    const since = { online: false, changedAtMs: at(100) };
    expect(
      evaluateDeadman(offline, undefined, { nowMs: at(219), lastSeenMs: t0, presence: since }).transition,
    ).toBeUndefined();
    const raised = evaluateDeadman(offline, undefined, { nowMs: at(220), lastSeenMs: t0, presence: since });
    expect(raised.transition).toMatchObject({ kind: 'raised', cause: 'disconnected' });
    const back = evaluateDeadman(offline, raised.state, { nowMs: at(230), lastSeenMs: t0, presence: { online: true } });
    expect(back.transition?.kind).toBe('resolved');
  });

  it('offline rules ignore connected-but-silent devices, and decide nothing without presence', () => {
    expect(
      evaluateDeadman(offline, undefined, { nowMs: at(9999), lastSeenMs: t0, presence: { online: true } }).transition,
    ).toBeUndefined();
    const raised = evaluateDeadman(offline, undefined, {
      nowMs: at(220),
      lastSeenMs: t0,
      presence: { online: false, changedAtMs: at(0) },
    });
    expect(evaluateDeadman(offline, raised.state, { nowMs: at(230), lastSeenMs: t0 }).state.phase).toBe('firing');
  });
});

describe('deadman on event time (deadmanSilenceUntil)', () => {
  const seen = { phase: 'ok' as const, lastEventMs: t0, count: 0 };

  it('raises at the end of the window once the next event is a window or more later, as the check would have', () => {
    expect(deadmanSilenceUntil(noData, seen, at(299))).toBeUndefined();
    expect(deadmanSilenceUntil(noData, seen, at(1000))?.transition).toEqual({
      kind: 'raised',
      atMs: at(300),
      value: 300,
      cause: 'silent',
    });
  });

  it('leaves a firing rule, a device never seen and an offline rule alone', () => {
    const firing = evaluateDeadman(noData, seen, { nowMs: at(300), lastSeenMs: t0 }).state;
    expect(deadmanSilenceUntil(noData, firing, at(1000))).toBeUndefined();
    expect(deadmanSilenceUntil(noData, undefined, at(1000))).toBeUndefined();
    expect(deadmanSilenceUntil(offline, seen, at(1000))).toBeUndefined();
  });
});
