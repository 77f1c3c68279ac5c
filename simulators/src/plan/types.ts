import type { DeviceFamily, DeviceTypeDefinition } from '@citypulse/devices';
import type { City } from '../model/cities.js';

/** A place devices share: a building, an electricity supply point, a road junction. */
export interface PlannedSite {
  /** The registry's site slug, e.g. `beijing-tower-01`. */
  name: string;
  city: City;
  family: DeviceFamily;
  /** 0-based among the city's sites of this family; site 0 is where scenarios strike. */
  index: number;
  /** Noise key of the site: devices of one building share its physics. */
  key: number;
  /** Total rated PV power at the site, kW (energy sites with inverters); the meter sees it as lower import. */
  pvKw: number;
}

export interface PlannedDevice {
  id: string;
  type: DeviceTypeDefinition;
  city: City;
  site: PlannedSite;
  /** 0-based among the city's devices of this type. */
  index: number;
  /** Noise key of the device, independent of the id prefix. */
  key: number;
  /** Reporting interval and where in it this device reports (devices do not all report on the minute). */
  intervalMs: number;
  phaseMs: number;
}

export interface FleetPlan {
  seed: number;
  devices: PlannedDevice[];
  sites: PlannedSite[];
  /** The largest city of the run: where a scenario's local event (grid fault, incident, chiller trip) happens. */
  focusCity: City;
}
