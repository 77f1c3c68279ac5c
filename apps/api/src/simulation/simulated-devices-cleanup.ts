import type { RedisClient } from '@citypulse/redis';
import { AlertStore, LastSeenIndex, queryAlerts, ruleStateKey, type AlertEvent } from '@citypulse/alert-store';
import type { DeviceCertificateStore } from '@citypulse/certificates';
import type { DeviceRegistry } from '@citypulse/registry';

export interface CleanupDeps {
  redis: RedisClient;
  prefix: string;
  registry: DeviceRegistry;
  certificates: DeviceCertificateStore;
  alerts: AlertStore;
  lastSeen: LastSeenIndex;
}

export interface CleanupResult {
  devices: number;
  alertsResolved: number;
  /** The resolutions, for the caller to announce (alert history, live stream). */
  events: AlertEvent[];
}

/**
 * Devices removed at a time: each is a few round trips, and a fleet of thousands should not wait on them one by one.
 */
const PARALLEL = 32;

/**
 * Removes devices and everything they leave behind: open alerts are resolved by `actor` (kept as
 * history, like any resolved alert, rather than deleted), then the rule state, the last-seen entry,
 * certificates, and the registry entry itself — credentials, presence and indexes with it, a
 * connected device disconnected, and (through the registry's `deleted` event, as for DELETE
 * /devices/:id) its shadow and commands.
 */
export async function removeDevicesWithState(
  ids: readonly string[],
  actor: string,
  note: string,
  deps: CleanupDeps,
): Promise<CleanupResult> {
  const result: CleanupResult = { devices: 0, alertsResolved: 0, events: [] };
  for (let i = 0; i < ids.length; i += PARALLEL) {
    await Promise.all(ids.slice(i, i + PARALLEL).map((id) => removeOne(id, actor, note, deps, result)));
  }
  return result;
}

async function removeOne(
  id: string,
  actor: string,
  note: string,
  deps: CleanupDeps,
  result: CleanupResult,
): Promise<void> {
  // The device's own index (its history is short), not the fleet's open alerts.
  const history = await queryAlerts(deps.redis, deps.alerts, deps.alerts.keyNames, { deviceId: id, limit: 10_000 });
  for (const alert of history.items.filter((a) => a.state !== 'resolved')) {
    const resolved = await deps.alerts.resolve(alert.id, Date.now(), undefined, actor, note);
    if (!resolved) continue;
    result.alertsResolved++;
    result.events.push(resolved.event);
  }
  await Promise.all([
    deps.redis.del(ruleStateKey(deps.prefix, id)),
    deps.lastSeen.forget([id]),
    deps.certificates.removeDevice(id),
  ]);
  if (await deps.registry.remove(id)) result.devices++;
}
