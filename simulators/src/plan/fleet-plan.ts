import { deviceTypes, type DeviceFamily, type DeviceTypeDefinition } from '@citypulse/devices';
import { getCity, type City } from '../model/cities.js';
import { hashString, mix as mixKey, uniform } from '../model/noise.js';
import { inverterRatingKw } from '../model/params.js';
import { apportion, type Mix } from './mix.js';
import type { FleetPlan, PlannedDevice, PlannedSite } from './types.js';

export interface FleetOptions {
  seed: number;
  /** How many devices in total. */
  devices: number;
  cities: readonly string[];
  mix: Mix;
  /** Overrides every type's catalogue reporting interval, seconds. */
  intervalS?: number;
  /** Device ids start with this, so runs with different prefixes never share devices. */
  prefix: string;
}

/** How many devices of a family share one site: a building has up to six room sensors, a junction four detectors. */
const PER_SITE: Record<string, number> = { 'env-sensor': 6, 'traffic-detector': 4 };
const SITE_WORD: Record<DeviceFamily, string> = { building: 'tower', energy: 'supply', traffic: 'junction' };

/**
 * Which devices a run has, where they are and when they report. Types are apportioned by the
 * mix, then each type over the cities by size, so the largest city gets a device of every type
 * first. Devices group into sites: a building (room sensors, an HVAC unit, a lift), a supply
 * point (meter, PV inverter), a junction (detectors, a signal controller).
 */
export function planFleet(options: FleetOptions): FleetPlan {
  const cities = options.cities.map((name) => {
    const city = getCity(name);
    if (!city) throw new Error(`unknown city "${name}"`);
    return city;
  });
  if (cities.length === 0) throw new Error('at least one city is needed');
  const types = Object.values(deviceTypes);
  const typeCounts = apportion(
    options.devices,
    types.map((t) => options.mix[t.name] ?? 0),
  );
  const perCityType = new Map<string, number>();
  types.forEach((type, t) => {
    apportion(
      typeCounts[t],
      cities.map((c) => c.size),
    ).forEach((n, c) => perCityType.set(`${cities[c].name}/${type.name}`, n));
  });

  const devices: PlannedDevice[] = [];
  const sites: PlannedSite[] = [];
  for (const city of cities) {
    for (const family of ['building', 'energy', 'traffic'] as const) {
      const familyTypes = types.filter((t) => t.family === family);
      const counts = familyTypes.map((t) => perCityType.get(`${city.name}/${t.name}`) ?? 0);
      const siteCount = Math.max(0, ...familyTypes.map((t, i) => Math.ceil(counts[i] / (PER_SITE[t.name] ?? 1))));
      const familySites = Array.from({ length: siteCount }, (_, index) => site(options.seed, city, family, index));
      familyTypes.forEach((type, i) => {
        for (let index = 0; index < counts[i]; index++)
          devices.push(device(options, city, type, index, familySites[index % siteCount]));
      });
      sites.push(...familySites);
    }
  }
  for (const d of devices) if (d.type.name === 'solar-inverter') d.site.pvKw += inverterRatingKw(d.key);
  // Report in time order within a city the same way every run; ids sort the rest.
  devices.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const focusCity = cities.reduce((best, c) => (c.size > best.size ? c : best), cities[0]);
  return { seed: options.seed, devices, sites, focusCity };
}

function site(seed: number, city: City, family: DeviceFamily, index: number): PlannedSite {
  return {
    name: `${city.name}-${SITE_WORD[family]}-${String(index + 1).padStart(2, '0')}`,
    city,
    family,
    index,
    key: mixKey(seed, hashString(`${city.name}/${family}/${index}`)),
    pvKw: 0,
  };
}

function device(
  options: FleetOptions,
  city: City,
  type: DeviceTypeDefinition,
  index: number,
  site: PlannedSite,
): PlannedDevice {
  const key = mixKey(options.seed, hashString(`${city.name}/${type.name}/${index}`));
  const intervalMs = Math.round((options.intervalS ?? type.reportingIntervalS) * 1000);
  return {
    id: `${options.prefix}-${city.name}-${type.name}-${String(index + 1).padStart(3, '0')}`,
    type,
    city,
    site,
    index,
    key,
    intervalMs,
    phaseMs: Math.floor(uniform(key, 1) * intervalMs),
  };
}
