import type { Presence } from '@citypulse/registry';
import type { LastSeenIndex } from '@citypulse/alert-store';

/**
 * Presence as the API shows it: `lastSeen` is the later of what the broker recorded (connect or
 * disconnect) and the newest stored reading of the device. Ingest already records the newest
 * reading per device once per batch (LastSeenIndex, for the deadman check), so "last seen"
 * advances while a device publishes without any write per reading on the hot path.
 */
export async function withLastReading(
  lastSeen: LastSeenIndex,
  deviceIds: readonly string[],
  presences: Presence[],
): Promise<Presence[]> {
  const readings = await lastSeen.get(deviceIds);
  return presences.map((presence, i) => {
    const readingMs = readings[i];
    const recordedMs = presence.lastSeen ? Date.parse(presence.lastSeen) : 0;
    return readingMs !== undefined && readingMs > recordedMs
      ? { ...presence, lastSeen: new Date(readingMs).toISOString() }
      : presence;
  });
}
