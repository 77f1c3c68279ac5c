import { DeviceRegistry, PresenceStore } from '@citypulse/registry';
import { LastSeenIndex } from '@citypulse/alert-store';
import { isDeadmanRule, type AlertTransition } from '@citypulse/rules';
import type { MaintenanceCalendar } from '@citypulse/alert-config';
import type { RuleBook } from '../rule-book.js';
import type { RuleStateRepository } from '../rule-state-repository.js';
import { decideDeadman } from './decide-deadman.js';

export interface DeadmanCheckDeps {
  registry: DeviceRegistry;
  presence: PresenceStore;
  lastSeen: LastSeenIndex;
  states: RuleStateRepository;
  rules: RuleBook;
  /** Devices under maintenance are skipped: their silence is expected (checked again once the window closes). */
  maintenance: MaintenanceCalendar;
}

/**
 * Checks a chunk of overdue devices: who they are (registry), whether the broker sees them
 * connected (presence), when they last reported, then decides each against its deadman rules.
 * Reads run concurrently on auto-pipelined connections (one round trip per kind of read for the
 * chunk). A device no longer in the registry stops being watched; a device in an open maintenance
 * window is not checked at all (its deadman state stays as it was, so once the window closes the
 * next check raises for a device still silent).
 */
export async function checkDevices(deviceIds: string[], nowMs: number, deps: DeadmanCheckDeps): Promise<Map<string, AlertTransition[]>> {
  const [records, presences, lastSeen] = await Promise.all([
    Promise.all(deviceIds.map((id) => deps.registry.get(id))),
    Promise.all(deviceIds.map((id) => deps.presence.get(id))),
    deps.lastSeen.get(deviceIds),
  ]);
  const gone = deviceIds.filter((_, i) => !records[i]);
  await deps.lastSeen.forget(gone);
  const watched = new Map<string, number>();
  deviceIds.forEach((id, i) => {
    const device = records[i];
    if (device && !deps.maintenance.openFor({ deviceId: id, deviceType: device.type, city: device.city, site: device.site }, nowMs)) watched.set(id, i);
  });
  return deps.states.updateMany([...watched.keys()], (deviceId, current) => {
    const i = watched.get(deviceId)!;
    const device = records[i]!;
    const target = { deviceId, deviceType: device.type, city: device.city, site: device.site };
    const presence = presences[i];
    const changedAtMs = presence.lastSeen ? Date.parse(presence.lastSeen) : undefined;
    return decideDeadman(current, target, deps.rules.rulesFor(target).filter(isDeadmanRule), {
      nowMs,
      lastSeenMs: lastSeen[i] ?? 0,
      presence: { online: presence.online, ...(changedAtMs !== undefined && { changedAtMs }) },
    });
  });
}
