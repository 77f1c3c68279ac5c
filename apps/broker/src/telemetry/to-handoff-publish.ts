import { encodeRuleFeed, joinRuleFeed, packReadings, type DeviceReadings } from '@citypulse/contracts';
import type { AcceptedReading } from '@citypulse/devices';
import type { Companion } from '@citypulse/handoff';
import { lineFor, storedString, storedValues, type StoredFieldVisitor } from '@citypulse/storage';
import type { DeviceSession } from '../sessions.js';
import { type ReceiveClock, deviceTimeNs } from './receive-clock.js';

/** One publish's accepted readings as handed off: lines for InfluxDB, the rule feed beside them. */
export interface SerialisedPublish {
  lines: string[];
  /** The rule feed of any run of the lines (`encodeRuleFeed`), written beside them in the hand-off. */
  ruleFeed: Companion;
}

/**
 * Fixes the identity of accepted readings and serialises them once for both consumers: line
 * protocol for InfluxDB and the compact rule feed, in one pass over each reading's values — a
 * value is formatted once, for the line, and the feed row reuses that text (a number's is its JSON
 * too) — so ingest never parses the lines back. The time is the device's own timestamp when it
 * sent one (validated as plausible upstream), else the broker's receive time — set once, here.
 * The line reuses the session's prebuilt series key (measurement + tags from the registry), the
 * feed its prebuilt device part, so nothing is escaped or encoded twice.
 */
export function toHandoffPublish(
  session: DeviceSession,
  accepted: AcceptedReading[],
  clock: ReceiveClock,
): SerialisedPublish {
  const lines: string[] = [];
  /** Each stored reading's epoch ms and its feed values as JSON, `[value of fields[0], …]`; and its values. */
  const times: string[] = [];
  const valueRows: string[] = [];
  const stored: Array<AcceptedReading['values']> = [];
  /** The stored fields of the first reading; `regular` while every reading has the same, in order. */
  const fields: string[] = [];
  let regular = true;
  let row = '';
  let column = 0;
  const visit: StoredFieldVisitor = (name, value, written) => {
    if (lines.length === 0) fields.push(name);
    else if (fields[column] !== name) regular = false;
    row += (column === 0 ? '[' : ',') + (typeof value === 'string' ? JSON.stringify(storedString(value)) : written);
    column++;
  };
  for (const { tsMs, values } of accepted) {
    const timeNs = tsMs === undefined ? clock.nextNs() : deviceTimeNs(tsMs);
    row = '';
    column = 0;
    const line = lineFor(session.seriesKey, values, timeNs, visit);
    if (line === null) continue;
    if (column !== fields.length) regular = false;
    lines.push(line);
    // Rules see the point's time to the ms (its ns without the last six digits) and the values as stored.
    times.push(timeNs.slice(0, -6));
    valueRows.push(row + ']');
    stored.push(values);
  }
  const whole = (list: string[], from: number, to: number) =>
    from === 0 && to === list.length ? list : list.slice(from, to);
  const ruleFeed: Companion = (from, to) =>
    regular
      ? joinRuleFeed(session.ruleFeed.for(fields), whole(times, from, to), whole(valueRows, from, to))
      : encodeRuleFeed(session.ruleFeed.deviceText, packReadings(unpackedReadings(times, stored, from, to)));
  return { lines, ruleFeed };
}

/**
 * The readings `from`–`to` one by one, for a publish whose readings' fields differ (rare: a batch
 * mixing optional fields), so their rows cannot share one list of field names.
 */
function unpackedReadings(
  times: readonly string[],
  stored: ReadonlyArray<AcceptedReading['values']>,
  from: number,
  to: number,
): DeviceReadings['readings'] {
  const readings: DeviceReadings['readings'] = [];
  for (let i = from; i < to; i++) readings.push([Number(times[i]), storedValues(stored[i])]);
  return readings;
}
