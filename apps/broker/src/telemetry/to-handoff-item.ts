import type { HandoffItem } from '@citypulse/handoff';
import type { AcceptedReading } from '@citypulse/devices';
import { lineFor } from '@citypulse/storage';
import type { DeviceSession } from '../sessions.js';
import { type ReceiveClock, deviceTimeNs } from './receive-clock.js';

/**
 * Fixes the identity of accepted readings and shapes them for hand-off: the time is the device's
 * own timestamp when it sent one (validated as plausible upstream), else the broker's receive
 * time — set once, here; the line reuses the session's prebuilt series key (measurement + tags
 * from the registry), so nothing is escaped twice.
 */
export function toHandoffItem(session: DeviceSession, accepted: AcceptedReading[], clock: ReceiveClock): HandoffItem {
  const lines: string[] = [];
  const readings: HandoffItem['readings'] = [];
  for (const { tsMs, values } of accepted) {
    const timeNs = tsMs === undefined ? clock.nextNs() : deviceTimeNs(tsMs);
    const line = lineFor(session.seriesKey, values, timeNs);
    if (line === null) continue;
    lines.push(line);
    readings.push([tsMs ?? Number(timeNs.slice(0, -6)), values]);
  }
  return { device: session.ref, lines, readings };
}
