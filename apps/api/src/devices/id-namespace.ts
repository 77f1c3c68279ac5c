import { Injectable } from '@nestjs/common';
import { ApiTokenStore, CITY_PATTERN, DeviceRegistry } from '@citypulse/registry';
import type { Tenancy } from '../auth/tenancy.js';

/**
 * Device ids are global — an id is the device's MQTT client id and username, so two cities cannot
 * hold the same one — yet a city must not learn which ids another city holds (a 409 where GET
 * answers 404 would tell it). So ids are namespaced by city: a token limited to some cities
 * provisions only ids starting with `<city>-` of the device's city, and nobody may give a device an
 * id starting with another existing city's `<city>-` (a city exists once it has devices or a
 * city-scoped token). Within its namespace a city can only collide with itself; an id outside it
 * is refused by its shape alone, before any lookup, whether or not it exists.
 * Admins of every city may use any other id (`bj-env-0042` in beijing).
 */
export const cityIdPrefix = (city: string): string => `${city}-`;

/** Why a city-scoped caller may not use this id for a device of `city` (not in the city's namespace), or undefined. */
export function scopedIdProblem(id: string, city: string, tenancy: Tenancy): string | undefined {
  if (tenancy.isClusterWide || id.startsWith(cityIdPrefix(city))) return undefined;
  return (
    `must start with "${cityIdPrefix(city)}": a token limited to cities provisions ids in its city's namespace ` +
    `(ids are global across cities)`
  );
}

/** The city names an id's prefixes could claim: `tianjin-port-1` → tianjin, tianjin-port. */
export function claimedCities(id: string): string[] {
  const parts = id.split('-');
  const claimed: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const city = parts.slice(0, i).join('-');
    if (CITY_PATTERN.test(city)) claimed.push(city);
  }
  return claimed;
}

/** Checks ids against the namespaces of the cities that exist. */
@Injectable()
export class IdNamespaces {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly tokens: ApiTokenStore,
  ) {}

  /** For each device whose id claims another existing city's namespace, why it may not be used (by id). */
  async reserved(devices: ReadonlyArray<{ id: string; city: string }>): Promise<Map<string, string>> {
    const candidates = new Set(devices.flatMap((d) => claimedCities(d.id).filter((c) => c !== d.city)));
    const problems = new Map<string, string>();
    if (candidates.size === 0) return problems;
    const tokenCities = new Set((await this.tokens.list()).flatMap((t) => t.cities ?? []));
    const existing = new Set<string>();
    for (const city of candidates) {
      if (tokenCities.has(city) || (await this.registry.list({ city, offset: 0, limit: 1 })).total > 0)
        existing.add(city);
    }
    for (const d of devices) {
      const owner = claimedCities(d.id).find((c) => c !== d.city && existing.has(c));
      if (owner)
        problems.set(
          d.id,
          `ids starting with "${cityIdPrefix(owner)}" belong to city ${owner}: choose another id for a device ` +
            `of ${d.city}`,
        );
    }
    return problems;
  }
}
