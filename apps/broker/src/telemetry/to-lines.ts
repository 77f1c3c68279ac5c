import type { AcceptedReading } from '@citypulse/devices';
import { lineFor } from '@citypulse/storage';
import type { DeviceSession } from '../sessions.js';
import { type ReceiveClock, deviceTimeNs } from './receive-clock.js';

/**
 * Fixes the identity of accepted readings and writes them as line protocol: the time is the device's
 * own timestamp when it sent one (validated as plausible upstream), else the broker's receive
 * time — set once, here; the line reuses the session's prebuilt series key (measurement + tags
 * from the registry), so nothing is escaped twice.
 */
export function toLines(session: DeviceSession, accepted: AcceptedReading[], clock: ReceiveClock): string[] {
  const lines: string[] = [];
  for (const { tsMs, values } of accepted) {
    const line = lineFor(session.seriesKey, values, tsMs === undefined ? clock.nextNs() : deviceTimeNs(tsMs));
    if (line !== null) lines.push(line);
  }
  return lines;
}
