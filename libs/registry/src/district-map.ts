import type { RedisClient } from '@citypulse/redis';

/*
 * A city's districts: which of its sites lie in which district, for per-district totals of
 * sharing agreements. A district is an attribute of a site, not of a device: every device of a
 * site is in the site's district by construction (a per-device district could split one site over
 * two districts), nothing changes in what brokers and ingest write (no new InfluxDB tag, no new
 * series), and a district total is the total of its sites' devices over any range, however old the
 * readings — the map applies to history as it is now. A site in no district is in no district's
 * total.
 */

/** District names are slugs, as sites are: "chaoyang", "binhai-new-area". */
export const DISTRICT_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface District {
  name: string;
  /** Sites of the city in this district; a site is in at most one district of its city. */
  sites: string[];
}

export interface CityDistricts {
  city: string;
  districts: District[];
  /** When and by whom (token name) they were last set; absent until they are. */
  updatedAt?: string;
  updatedBy?: string;
}

/** Each city's districts in Redis, one JSON value per city (read whole: a city has tens of districts). */
export class DistrictMap {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private keyOf(city: string): string {
    return `${this.prefix}:districts:${city}`;
  }

  /** The city's districts; none set yet: an empty list. */
  async get(city: string): Promise<CityDistricts> {
    const json = await this.redis.get(this.keyOf(city));
    return json ? (JSON.parse(json) as CityDistricts) : { city, districts: [] };
  }

  /** Replaces the city's districts whole. */
  async put(value: CityDistricts): Promise<void> {
    await this.redis.set(this.keyOf(value.city), JSON.stringify(value));
  }
}
