import { encodeRuleFeed, packReadings, type DeviceReadings } from '@citypulse/contracts';
import type { AcceptedReading } from '@citypulse/devices';
import type { Companion } from '@citypulse/handoff';
import { lineFor, storedValues } from '@citypulse/storage';
import type { DeviceSession } from '../sessions.js';
import { type ReceiveClock, deviceTimeMs, deviceTimeNs } from './receive-clock.js';

/** One publish's accepted readings as handed off: lines for InfluxDB, the rule feed beside them. */
export interface SerialisedPublish {
  lines: string[];
  /** The rule feed of any run of the lines (`encodeRuleFeed`), written beside them in the hand-off. */
  ruleFeed: Companion;
}

/**
 * Fixes the identity of accepted readings and serialises them once for both consumers: line
 * protocol for InfluxDB and the compact rule feed, from the same validated values, so ingest
 * never parses the lines back. The time is the device's own timestamp when it sent one
 * (validated as plausible upstream), else the broker's receive time — set once, here; the line
 * reuses the session's prebuilt series key (measurement + tags from the registry), the feed its
 * prebuilt device part, so nothing is escaped or encoded twice.
 */
export function toHandoffPublish(
  session: DeviceSession,
  accepted: AcceptedReading[],
  clock: ReceiveClock,
): SerialisedPublish {
  const lines: string[] = [];
  const readings: DeviceReadings['readings'] = [];
  for (const { tsMs, values } of accepted) {
    const timeNs = tsMs === undefined ? clock.nextNs() : deviceTimeNs(tsMs);
    const line = lineFor(session.seriesKey, values, timeNs);
    if (line === null) continue;
    lines.push(line);
    // Rules see what the store holds: the point's time to the ms, the values as stored.
    readings.push([tsMs === undefined ? clock.lastMs : deviceTimeMs(tsMs), storedValues(values)]);
  }
  const ruleFeed: Companion = (from, to) =>
    encodeRuleFeed(
      session.ruleFeedDevice,
      packReadings(from === 0 && to === readings.length ? readings : readings.slice(from, to)),
    );
  return { lines, ruleFeed };
}
