import type { DeviceQuery } from './device.js';
import type { RegistryKeys } from './keys.js';

/**
 * How one page of the device list is read from the index sorted sets, as plain data: which sets
 * to combine and how. Pure, so the choice is unit-tested without Redis.
 *
 * - one filter and no presence filter: page straight from that index (ZRANGE by rank, ZCARD);
 * - several: ZUNIONSTORE the tenancy's cities, ZINTERSTORE the filters (and the online set for
 *   online=true) or ZDIFFSTORE the online set (online=false) into scratch keys, page from the
 *   result, delete the scratch keys — all in one MULTI.
 * Every member has score 0 (sets count as 1 and add the same to all), so ranks stay in id order.
 */
export type QueryStep =
  | { op: 'union'; into: string; from: string[] }
  | { op: 'inter'; into: string; from: string[] }
  | { op: 'diff'; into: string; from: [string, string] };

export interface QueryPlan {
  /** Nothing can match (a city filter outside the caller's cities): answer an empty page. */
  empty: boolean;
  steps: QueryStep[];
  /** The sorted set to page from. */
  source: string;
  scratch: string[];
}

export function planDeviceQuery(query: DeviceQuery, keys: RegistryKeys, tag: string): QueryPlan {
  const scratch: string[] = [];
  const steps: QueryStep[] = [];
  const newScratch = (name: string) => {
    const key = keys.scratch(`${tag}:${name}`);
    scratch.push(key);
    return key;
  };
  const within = query.withinCities;
  if (query.city !== undefined && within && !within.includes(query.city))
    return { empty: true, steps: [], source: keys.allDevices, scratch: [] };
  if (within && within.length === 0) return { empty: true, steps: [], source: keys.allDevices, scratch: [] };

  const sets: string[] = [];
  if (query.city !== undefined) sets.push(keys.cityIndex(query.city));
  else if (within && within.length === 1) sets.push(keys.cityIndex(within[0]));
  else if (within) {
    const union = newScratch('cities');
    steps.push({ op: 'union', into: union, from: within.map((c) => keys.cityIndex(c)) });
    sets.push(union);
  }
  if (query.site !== undefined) sets.push(keys.siteIndex(query.site));
  if (query.type !== undefined) sets.push(keys.typeIndex(query.type));
  if (query.firmwareVersion !== undefined) sets.push(keys.firmwareIndex(query.firmwareVersion));
  if (sets.length === 0) sets.push(keys.allDevices);
  if (query.online === true) sets.push(keys.online);

  let source = sets[0];
  if (sets.length > 1) {
    source = newScratch('inter');
    steps.push({ op: 'inter', into: source, from: sets });
  }
  if (query.online === false) {
    const offline = newScratch('offline');
    steps.push({ op: 'diff', into: offline, from: [source, keys.online] });
    source = offline;
  }
  return { empty: false, steps, source, scratch };
}
