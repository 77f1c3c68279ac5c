import type { IndicatorDefinition } from './indicator-definition.js';

/**
 * Which cities' data an indicator may use, and through which agreements. Pure (unit-tested in
 * indicator-scope.spec.ts). An indicator is read by every city of the cluster, so only telemetry
 * shares offered to the whole cluster ("*") count — a share to one city must not reach the others through
 * a regional figure. The caller passes the agreements live now (accepted, not revoked, not
 * expired); a share counts for an indicator when it gives the indicator's device type and field,
 * covers the whole window in its data range, and is fine-grained enough: an aggregate-only share
 * of N minutes counts only for windows of at least N minutes (a one-minute mean of a city's meters
 * is finer than what it agreed to give).
 */

/** What the scope needs of an agreement (@citypulse/registry ShareAgreement has these). */
export interface ClusterShareTerms {
  id: string;
  /** `alerts`: a share of alert events, which gives no telemetry. */
  kind?: 'alerts';
  fromCity: string;
  toCity: string;
  deviceTypes: readonly string[];
  fields: readonly string[];
  sites?: readonly string[];
  granularity:
    | { kind: 'raw' }
    | { kind: 'aggregate'; minIntervalMinutes: number }
    | { kind: 'site-totals' | 'district-totals'; minIntervalMinutes: number; minDevices: number };
  from: string;
  to: string;
}

/** The share recipient meaning "every city of the cluster". */
export const CLUSTER_RECIPIENT = '*';

/**
 * One city's part of an indicator: the agreements it comes through, and the sites they allow (undefined: every site).
 */
export interface CityScope {
  city: string;
  shareIds: string[];
  sites?: string[];
}

export function cityScopes(
  definition: IndicatorDefinition,
  liveShares: readonly ClusterShareTerms[],
  window: { fromMs: number; toMs: number },
): CityScope[] {
  const byCity = new Map<string, CityScope>();
  for (const share of liveShares) {
    if (!counts(definition, share, window)) continue;
    const sites = sitesOf(definition.sites, share.sites);
    if (sites !== undefined && sites.length === 0) continue;
    const scope = byCity.get(share.fromCity);
    if (!scope) {
      byCity.set(share.fromCity, { city: share.fromCity, shareIds: [share.id], ...(sites && { sites }) });
      continue;
    }
    scope.shareIds.push(share.id);
    // Two agreements of one city: what either allows.
    if (scope.sites === undefined || sites === undefined) delete scope.sites;
    else scope.sites = [...new Set([...scope.sites, ...sites])].sort();
  }
  return [...byCity.values()].sort((a, b) => a.city.localeCompare(b.city));
}

function counts(
  definition: IndicatorDefinition,
  share: ClusterShareTerms,
  window: { fromMs: number; toMs: number },
): boolean {
  if (share.toCity !== CLUSTER_RECIPIENT || share.kind === 'alerts') return false;
  if (!share.deviceTypes.includes(definition.deviceType) || !share.fields.includes(definition.field)) return false;
  if (Date.parse(share.from) > window.fromMs || Date.parse(share.to) < window.toMs) return false;
  // Indicators combine per-device means: finer than a per-site or per-district totals agreement gives.
  if (share.granularity.kind === 'site-totals' || share.granularity.kind === 'district-totals') return false;
  return share.granularity.kind === 'raw' || share.granularity.minIntervalMinutes * 60 <= definition.windowSeconds;
}

/** The indicator's sites the share allows: undefined when neither narrows them. */
function sitesOf(
  indicatorSites: readonly string[] | undefined,
  shareSites: readonly string[] | undefined,
): string[] | undefined {
  if (!indicatorSites) return shareSites ? [...shareSites].sort() : undefined;
  if (!shareSites) return [...indicatorSites].sort();
  return indicatorSites.filter((s) => shareSites.includes(s)).sort();
}
