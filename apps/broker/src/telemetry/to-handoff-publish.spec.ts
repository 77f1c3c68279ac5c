import { decodeRuleFeed, unpackDeviceReadings } from '@citypulse/contracts';
import { getDeviceType, type AcceptedReading } from '@citypulse/devices';
import type { DeviceRecord } from '@citypulse/registry';
import { parseLine } from '@citypulse/storage';
import { createSession } from '../sessions.js';
import { ReceiveClock } from './receive-clock.js';
import { toHandoffPublish } from './to-handoff-publish.js';

const device: DeviceRecord = {
  id: 'meter 7,a',
  type: 'electricity-meter',
  city: 'tianjin',
  site: 'tj=1',
  secretHash: 'x',
  credentialVersion: 1,
  revoked: false,
  createdAt: '2026-12-01T00:00:00.000Z',
};
const session = createSession(device, getDeviceType('electricity-meter')!);
const ref = { deviceId: device.id, deviceType: device.type, city: device.city, site: device.site };

const accepted: AcceptedReading[] = [
  { tsMs: 1_700_000_000_123, values: { voltage: 230, current: 5.25 } },
  // SenML times are fractional: the point keeps the microseconds, the rules the whole ms.
  { tsMs: 1_700_000_000_124.75, values: { voltage: 1e21, online: true } },
  { tsMs: undefined, values: { mode: 'line one\nline "two" \\ back\r', offline: false } },
  { tsMs: 1_700_000_000_126, values: { voltage: 231, bad: Number.NaN } },
  // Nothing storable: no line, so nothing for the rules either.
  { tsMs: 1_700_000_000_127, values: { bad: Number.POSITIVE_INFINITY } },
];

/** What ingest read before the feed travelled beside the lines: each stored line parsed back. */
const parsedBack = (lines: string[]) =>
  lines.map((line) => {
    const parsed = parseLine(line)!;
    return [Number(parsed.timeNs.slice(0, -6)), parsed.fields];
  });

describe('toHandoffPublish', () => {
  it('gives the rules of a batch with one set of fields exactly what parsing its lines back gives', () => {
    const clock = new ReceiveClock(() => 1_700_000_000_200);
    const batch: AcceptedReading[] = [
      { tsMs: 1_700_000_000_100.5, values: { voltage: 230.25, online: true, mode: 'eco\n"x"\n', current: -0 } },
      { tsMs: undefined, values: { voltage: 1e-7, online: false, mode: '', current: 12 } },
      { tsMs: 1_700_000_000_102, values: { voltage: 229, online: true, mode: 'a\\b', current: 5.5 } },
    ];
    const { lines, ruleFeed } = toHandoffPublish(session, batch, clock);
    const text = ruleFeed(0, lines.length);
    // One list of field names for the publish, not one per reading.
    expect(text.split('"voltage"')).toHaveLength(2);
    expect(unpackDeviceReadings(decodeRuleFeed(text))).toEqual({ ...ref, readings: parsedBack(lines) });
    expect([ruleFeed(0, 2), ruleFeed(2, 3)].flatMap((t) => unpackDeviceReadings(decodeRuleFeed(t)).readings)).toEqual(
      parsedBack(lines),
    );
  });

  it('gives the rules of readings with differing fields exactly what parsing the stored lines back gives', () => {
    const clock = new ReceiveClock(() => 1_700_000_000_125);
    const { lines, ruleFeed } = toHandoffPublish(session, accepted, clock);
    expect(lines).toHaveLength(4);
    const feed = unpackDeviceReadings(decodeRuleFeed(ruleFeed(0, lines.length)));
    expect(feed).toEqual({ ...ref, readings: parsedBack(lines) });
    expect(feed.readings.map(([tsMs]) => tsMs)).toEqual([
      1_700_000_000_123, 1_700_000_000_124, 1_700_000_000_125, 1_700_000_000_126,
    ]);
    expect(feed.readings[2][1].mode).toBe('line one\\nline "two" \\ back\\r');
  });

  it('gives each run of lines its own feed, as the hand-off asks when it splits a publish', () => {
    const { lines, ruleFeed } = toHandoffPublish(session, accepted, new ReceiveClock(() => 1_700_000_000_125));
    const whole = decodeRuleFeed(ruleFeed(0, lines.length));
    const runs = [ruleFeed(0, 1), ruleFeed(1, 3), ruleFeed(3, 4)].map(decodeRuleFeed);
    expect(runs.flatMap((run) => unpackDeviceReadings(run).readings)).toEqual(unpackDeviceReadings(whole).readings);
    expect(runs.map((run) => run.rows.length)).toEqual([1, 2, 1]);
  });
});
