import { DeviceRegistry, PresenceStore } from '@citypulse/registry';
import { LastSeenIndex, sessionOf, type ReplaySession } from '@citypulse/alert-store';
import { isDeadmanRule, type AlertTransition } from '@citypulse/rules';
import type { MaintenanceCalendar } from '@citypulse/alert-config';
import type { RuleBook } from '../rule-book.js';
import type { RuleStateRepository } from '../rule-state-repository.js';
import { decideDeadman, decideDeadmanAtEnd } from './decide-deadman.js';

export interface DeadmanCheckDeps {
  registry: DeviceRegistry;
  presence: PresenceStore;
  lastSeen: LastSeenIndex;
  states: RuleStateRepository;
  rules: RuleBook;
  /** Devices under maintenance are skipped: their silence is expected (checked again once the window closes). */
  maintenance: MaintenanceCalendar;
  /** Replay sessions in force: their devices are judged on event time, not here on the wall clock. */
  replaySessions: { all(): Promise<ReplaySession[]> };
  /**
   * How long after a replay session's end was declared its readings may still be on their way
   * (CP_ALERT_ALLOWED_LATENESS_MS).
   */
  replaySettleMs: number;
  /** Devices deleted moments ago: a check that read their registry entry before the deletion leaves them alone. */
  deleted: { has(deviceId: string): boolean };
}

/**
 * Checks a chunk of overdue devices: who they are (registry), whether the broker sees them
 * connected (presence), when they last reported, then decides each against its deadman rules.
 * Reads run concurrently on auto-pipelined connections (one round trip per kind of read for the
 * chunk). A device no longer in the registry stops being watched; a device in an open maintenance
 * window is not checked at all (its deadman state stays as it was, so once the window closes the
 * next check raises for a device still silent). A device of a replay session is judged on the
 * session's clock: not at all while it runs (a gap between its readings raises as they are
 * evaluated), and once against the session's end when it has ended and its last readings had
 * time to arrive (and have been evaluated: see decideDeadmanAtEnd).
 */
export async function checkDevices(
  deviceIds: string[],
  nowMs: number,
  deps: DeadmanCheckDeps,
): Promise<Map<string, AlertTransition[]>> {
  const [records, presences, lastSeen, sessions] = await Promise.all([
    Promise.all(deviceIds.map((id) => deps.registry.get(id))),
    Promise.all(deviceIds.map((id) => deps.presence.get(id))),
    deps.lastSeen.get(deviceIds),
    deps.replaySessions.all(),
  ]);
  const gone = deviceIds.filter((_, i) => !records[i]);
  await deps.lastSeen.forget(gone);
  const watched = new Map<string, { i: number; replay?: ReplaySession }>();
  deviceIds.forEach((id, i) => {
    const device = records[i];
    if (
      !device ||
      deps.maintenance.openFor({ deviceId: id, deviceType: device.type, city: device.city, site: device.site }, nowMs)
    )
      return;
    const replay = sessions.length > 0 ? sessionOf(sessions, { deviceId: id, city: device.city }) : undefined;
    if (replay && !replayEndDue(replay, nowMs, deps.replaySettleMs)) return;
    watched.set(id, { i, replay });
  });
  return deps.states.updateMany([...watched.keys()], (deviceId, current) => {
    // Asked after the WATCH, as the rule-evaluation worker does (deleted-devices.ts).
    if (deps.deleted.has(deviceId)) return undefined;
    const { i, replay } = watched.get(deviceId)!;
    const device = records[i]!;
    const target = { deviceId, deviceType: device.type, city: device.city, site: device.site };
    if (replay)
      return decideDeadmanAtEnd(current, target, deps.rules.rulesFor(target), replay.endMs!, lastSeen[i] ?? 0);
    const presence = presences[i];
    const changedAtMs = presence.lastSeen ? Date.parse(presence.lastSeen) : undefined;
    return decideDeadman(current, target, deps.rules.rulesFor(target).filter(isDeadmanRule), {
      nowMs,
      lastSeenMs: lastSeen[i] ?? 0,
      presence: { online: presence.online, ...(changedAtMs !== undefined && { changedAtMs }) },
    });
  });
}

/** An ended replay session whose readings have had `settleMs` to arrive since its end was declared. */
function replayEndDue(session: ReplaySession, nowMs: number, settleMs: number): boolean {
  return (
    session.endMs !== undefined && session.endedAt !== undefined && nowMs >= Date.parse(session.endedAt) + settleMs
  );
}
