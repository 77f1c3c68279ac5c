import { DeviceRegistry, PresenceStore } from '@citypulse/registry';
import { LastSeenIndex } from '@citypulse/alert-store';
import { isDeadmanRule } from '@citypulse/rules';
import type { RuleBook } from '../rule-book.js';
import type { RuleStateRepository } from '../rule-state-repository.js';
import type { AlertTransition } from '../alert-transition.js';
import { decideDeadman } from './decide-deadman.js';

export interface DeadmanCheckDeps {
  registry: DeviceRegistry;
  presence: PresenceStore;
  lastSeen: LastSeenIndex;
  states: RuleStateRepository;
  rules: RuleBook;
}

/**
 * Checks a chunk of overdue devices: who they are (registry), whether the broker sees them
 * connected (presence), when they last reported, then decides each against its deadman rules.
 * Reads run concurrently on auto-pipelined connections (one round trip per kind of read for the
 * chunk). A device no longer in the registry stops being watched.
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
    if (records[i]) watched.set(id, i);
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
