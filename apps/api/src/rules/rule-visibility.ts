import type { RuleScope } from '@citypulse/rules';

/** What deciding a rule's visibility needs to know of devices. */
export interface ScopeFacts {
  /** The city of a device, or undefined when there is no such device. */
  cityOfDevice(deviceId: string): Promise<string | undefined>;
  /** Whether any device of these cities is at this site. */
  siteUsedIn(site: string, cities: readonly string[]): Promise<boolean>;
}

/**
 * Cities are tenants, and a rule's scope names another tenant's city, site or device: a caller
 * limited to some cities sees a rule only if it can apply to their devices — unscoped (every
 * city), scoped to one of their cities, to a device of theirs (an unknown device: hidden, as
 * another city's would be), or to a site where they have devices. Every part of the scope must
 * pass. Callers of every city (`cities` undefined) see everything.
 */
export async function ruleVisible(
  scope: RuleScope | undefined,
  cities: readonly string[] | undefined,
  facts: ScopeFacts,
): Promise<boolean> {
  if (cities === undefined || scope === undefined) return true;
  if (scope.city !== undefined && !cities.includes(scope.city)) return false;
  if (scope.deviceId !== undefined) {
    const city = await facts.cityOfDevice(scope.deviceId);
    if (city === undefined || !cities.includes(city)) return false;
  }
  if (scope.site !== undefined && scope.city === undefined && !(await facts.siteUsedIn(scope.site, cities)))
    return false;
  return true;
}

/** The rules among `rules` a caller limited to `cities` may see, in order. */
export async function visibleRules<T extends { scope?: RuleScope }>(
  rules: T[],
  cities: readonly string[] | undefined,
  facts: ScopeFacts,
): Promise<T[]> {
  if (cities === undefined) return rules;
  const visible = await Promise.all(rules.map((r) => ruleVisible(r.scope, cities, facts)));
  return rules.filter((_, i) => visible[i]);
}
