import type { DeviceRecord, DeviceRegistry } from '@citypulse/registry';
import type { JobSelection } from '@citypulse/jobs';

const PAGE = 5000;

/**
 * The devices a selection names, in id order (the rollout order), read from the registry's
 * indexes (city, site, type) a page at a time, or from the explicit ids. `unknown`: explicit ids
 * with no device in the selection's city — the same answer whether the id is free or another
 * city's, so a city-scoped caller learns nothing of other tenants. Stops past `max` devices.
 */
export async function resolveSelection(
  registry: DeviceRegistry,
  selection: JobSelection,
  max: number,
): Promise<{ devices: DeviceRecord[]; unknown: string[]; tooMany: boolean }> {
  const matches = (d: DeviceRecord) =>
    d.city === selection.city &&
    (selection.site === undefined || d.site === selection.site) &&
    (selection.type === undefined || d.type === selection.type) &&
    (selection.firmwareVersion === undefined || d.firmwareVersion === selection.firmwareVersion);

  if (selection.deviceIds) {
    const ids = [...new Set(selection.deviceIds)].sort();
    const found = await registry.getMany(ids);
    const unknown = ids.filter((_, i) => found[i]?.city !== selection.city);
    const devices = found.filter((d): d is DeviceRecord => d !== null && matches(d));
    return { devices, unknown, tooMany: devices.length > max };
  }
  const devices: DeviceRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await registry.list({
      city: selection.city,
      site: selection.site,
      type: selection.type,
      firmwareVersion: selection.firmwareVersion,
      offset,
      limit: PAGE,
    });
    devices.push(...page.items.filter(matches));
    if (devices.length > max) return { devices, unknown: [], tooMany: true };
    if (offset + PAGE >= page.total) break;
  }
  const seen = new Set<string>();
  return { devices: devices.filter((d) => !seen.has(d.id) && seen.add(d.id)), unknown: [], tooMany: false };
}
