import type { PlannedDevice, PlannedSite } from '../plan/types.js';
import type { BuildingUse, LoadProfile } from './schedules.js';
import { pick, uniform } from './noise.js';

/**
 * Constant properties of sites and devices, drawn once from their noise keys: how big a
 * building's cooling is, how many lanes a road has. Models read these; nothing here changes over time.
 */

export interface BuildingDesign {
  use: BuildingUse;
  /** Occupied-hours set point, °C. */
  setpointC: number;
  /** Outdoor–indoor difference the cooling is sized for, °C; beyond it the building warms up. */
  designGapC: number;
  /** Share of the outdoor–set point difference that leaks through while conditioned. */
  leak: number;
}

export function buildingDesign(site: PlannedSite): BuildingDesign {
  return {
    use: uniform(site.key, 11) < 0.75 ? 'office' : 'mall',
    setpointC: 21.5 + 2 * uniform(site.key, 12),
    designGapC: 14 + 6 * uniform(site.key, 13),
    leak: 0.1 + 0.1 * uniform(site.key, 14),
  };
}

/** People a room or floor holds at most. */
export function roomCapacity(device: PlannedDevice): number {
  return Math.round(15 + 235 * uniform(device.key, 21) ** 2);
}

/**
 * Nameplate electrical power of an HVAC unit, kW. The first unit of a city's first building is
 * the big one (440 kW): normally it stays well under the 450 kW rule, but flat out in a heatwave
 * it goes over, which is what the heatwave scenario relies on.
 */
export function hvacRatingKw(device: PlannedDevice): number {
  if (device.site.index === 0 && device.index === 0) return 440;
  return pick([90, 150, 220, 300, 370], device.key, 31);
}

export interface SupplyPoint {
  profile: LoadProfile;
  /** Peak load, kW. */
  peakKw: number;
}

export function supplyPoint(site: PlannedSite): SupplyPoint {
  const u = uniform(site.key, 41);
  return {
    profile: u < 0.4 ? 'office' : u < 0.8 ? 'residential' : 'industrial',
    peakKw: Math.round(40 + 280 * uniform(site.key, 42)),
  };
}

/** Rated AC power of a PV inverter, kW (the catalogue's range tops out at 250). */
export function inverterRatingKw(deviceKey: number): number {
  return 30 + 10 * Math.round(22 * uniform(deviceKey, 51));
}

export interface Approach {
  lanes: number;
  freeFlowKmh: number;
  /** Saturation flow per lane, vehicles/hour. */
  laneCapacity: number;
}

export function approach(device: PlannedDevice): Approach {
  return {
    lanes: 2 + Math.floor(3 * uniform(device.key, 61)),
    freeFlowKmh: 45 + 30 * uniform(device.key, 62),
    laneCapacity: 1700 + 200 * uniform(device.key, 63),
  };
}
