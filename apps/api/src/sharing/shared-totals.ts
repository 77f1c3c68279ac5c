import type { SharedTotal } from '@citypulse/contracts';
import type { District, DistrictMap, TotalsGranularity } from '@citypulse/registry';
import type { InfluxQueryClient } from '@citypulse/storage';
import type { TimeWindow } from '../telemetry/interval.js';
import type { SharedSelection } from './share-scope.js';
import {
  byTimeAndDistrict,
  sharedDistrictTotalsQuery,
  sharedSiteTotalsQuery,
  toDistrictTotals,
  toSiteTotals,
  type SharedScope,
} from './shared-telemetry-queries.js';

/*
 * What a totals share gives: per-site totals, or per-district totals over the offering city's
 * districts (DistrictMap). Read the same way by GET /shares/:id/telemetry and the live publisher.
 */

/**
 * Each district's part of a selection: the district's sites the selection covers (every site of the district when
 * the share names no sites). A district with none of them is left out; a site in no district is in no part, so its
 * devices count in no district's total. Pure.
 */
export function districtSelections(
  selection: SharedSelection,
  districts: readonly District[],
): Array<{ district: string; selection: SharedSelection }> {
  const allowed = selection.sites && new Set(selection.sites);
  return districts.flatMap((d) => {
    const sites = allowed ? d.sites.filter((site) => allowed.has(site)) : d.sites;
    return sites.length === 0 ? [] : [{ district: d.name, selection: { ...selection, sites } }];
  });
}

/** The totals of one shared field over the window, oldest first; groups of fewer than minDevices devices left out. */
export async function sharedTotals(
  deps: { influx: InfluxQueryClient; districts: DistrictMap },
  granularity: TotalsGranularity,
  scope: SharedScope,
  window: TimeWindow,
): Promise<SharedTotal[]> {
  const { field, ...rest } = scope;
  const selection: SharedSelection = { ...rest, fields: [field] };
  if (granularity.kind === 'site-totals') {
    const series = await deps.influx.series(sharedSiteTotalsQuery(selection, window), { epoch: 'ms' });
    return toSiteTotals(field, series, granularity.minDevices);
  }
  const parts = districtSelections(selection, (await deps.districts.get(scope.city)).districts);
  const totals = await Promise.all(
    parts.map(async ({ district, selection: part }) =>
      toDistrictTotals(
        field,
        district,
        await deps.influx.series(sharedDistrictTotalsQuery(part, window), { epoch: 'ms' }),
        granularity.minDevices,
      ),
    ),
  );
  return byTimeAndDistrict(totals.flat());
}
