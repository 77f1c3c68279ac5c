import type { TokenRole } from '@citypulse/registry';

/**
 * Who is calling and which cities (tenants) they may see and touch, attached to every request by
 * TokenGuard. Controllers ask it instead of reading tokens:
 *
 * - `allows(city)`: may this caller see / act on something in `city`? Answer 404 for a single
 *   resource it does not allow (do not reveal that it exists elsewhere);
 * - `withinCities`: the cities to restrict a list to, or undefined for every city;
 * - `isAdmin`: may write (provision, change credentials); `isClusterAdmin`: admin of every city
 *   (manages API tokens and anything that affects all cities).
 *
 * Get it in a handler with `@CurrentTenancy() tenancy: Tenancy`.
 */
export class Tenancy {
  private readonly citySet: ReadonlySet<string> | null;

  constructor(
    readonly tokenName: string,
    readonly role: TokenRole,
    cities?: readonly string[],
  ) {
    this.citySet = cities ? new Set(cities) : null;
  }

  /** The configured admin token (CP_API_TOKEN): every city, every right. */
  static root(): Tenancy {
    return new Tenancy('admin', 'admin');
  }

  get withinCities(): readonly string[] | undefined {
    return this.citySet ? [...this.citySet].sort() : undefined;
  }

  get isClusterWide(): boolean {
    return this.citySet === null;
  }

  get isAdmin(): boolean {
    return this.role === 'admin';
  }

  get isClusterAdmin(): boolean {
    return this.isAdmin && this.isClusterWide;
  }

  allows(city: string): boolean {
    return this.citySet === null || this.citySet.has(city);
  }
}
