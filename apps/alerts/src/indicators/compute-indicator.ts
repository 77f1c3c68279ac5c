import { getDeviceType } from '@citypulse/devices';
import type { DeviceRegistry } from '@citypulse/registry';
import type { InfluxQueryClient } from '@citypulse/storage';
import {
  cityScopes,
  combine,
  perDeviceMeansQuery,
  toDeviceMeans,
  type ClusterShareTerms,
  type IndicatorDefinition,
  type IndicatorValue,
} from '@citypulse/indicators';

export interface ComputeDeps {
  influx: InfluxQueryClient;
  registry: DeviceRegistry;
}

/**
 * One value of an indicator over [fromMs, toMs), from the live agreements only: the shared cities'
 * devices' means (one InfluxQL query confined to the shared cities and sites), combined; with the
 * provenance — contributing cities, agreements, and devices reporting against those shared and
 * those of the whole cluster (so a city that does not share shows as missing coverage).
 */
export async function computeIndicator(
  definition: IndicatorDefinition,
  liveShares: readonly ClusterShareTerms[],
  window: { fromMs: number; toMs: number },
  deps: ComputeDeps,
): Promise<IndicatorValue> {
  const scopes = cityScopes(definition, liveShares, window);
  const measurement = getDeviceType(definition.deviceType)!.measurement;
  const [inScope, shared, means] = await Promise.all([
    countDevices(deps.registry, definition.deviceType, undefined, definition.sites),
    Promise.all(scopes.map((s) => countDevices(deps.registry, definition.deviceType, s.city, s.sites))),
    sharedMeans(deps.influx, perDeviceMeansQuery(definition, measurement, scopes, window), scopes.length),
  ]);
  const devicesShared = shared.reduce((a, b) => a + b, 0);
  return {
    indicator: definition.id,
    time: new Date(window.toMs).toISOString(),
    windowFrom: new Date(window.fromMs).toISOString(),
    value: combine(
      definition.aggregate,
      means.map((m) => m.mean),
    ),
    provenance: {
      contributingCities: [...new Set(means.map((m) => m.city))].sort(),
      shares: scopes.flatMap((s) => s.shareIds).sort(),
      devicesReporting: means.length,
      devicesShared,
      devicesInScope: inScope,
      coverage: inScope === 0 ? 0 : means.length / inScope,
    },
  };
}

/** Each shared device's mean over the window; no query when no city shares. */
async function sharedMeans(
  influx: InfluxQueryClient,
  query: string,
  sharingCities: number,
): Promise<Array<{ city: string; deviceId: string; mean: number }>> {
  return sharingCities === 0 ? [] : toDeviceMeans(await influx.series(query));
}

/** Devices of a type in a city (undefined: every city), at these sites (undefined: every site). */
async function countDevices(
  registry: DeviceRegistry,
  type: string,
  city: string | undefined,
  sites: readonly string[] | undefined,
): Promise<number> {
  const count = async (site?: string) =>
    (await registry.list({ type, ...(city && { city }), ...(site && { site }), offset: 0, limit: 1 })).total;
  if (!sites) return count();
  return (await Promise.all(sites.map(count))).reduce((a, b) => a + b, 0);
}
