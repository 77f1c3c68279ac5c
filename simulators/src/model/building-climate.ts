import type { PlannedSite } from '../plan/types.js';
import { localTime } from './cities.js';
import type { Effects } from './effects.js';
import { buildingDesign } from './params.js';
import { occupancyShare } from './schedules.js';
import { outdoorTemperature } from './weather.js';

export type HvacMode = 'heat' | 'cool' | 'fan' | 'off';

/** The state of one building at one moment, shared by its room sensors, HVAC unit and lift. */
export interface BuildingClimate {
  outdoorC: number;
  /** Indoor air temperature of the building (rooms add their own offset). */
  indoorC: number;
  /** How full the building is, 0 … 1. */
  occupancy: number;
  mode: HvacMode;
  /** Cooling or heating demand as a share of what the plant is sized for (above 1: overwhelmed). */
  load: number;
  /** The unit runs flat out regardless of demand. */
  boosted: boolean;
  tripped: boolean;
}

const TRIP_WARMUP_MS = 15 * 60_000;
/** Below this outdoor temperature the district heating season is on (northern China heats centrally). */
const HEATING_BELOW_C = 14;

/**
 * Building physics, kept simple and explainable:
 * - HVAC runs while the building is in use (or around the clock in a heat emergency);
 * - heating comes from the district network and holds the set point (with a night setback);
 * - cooling holds the set point up to its design outdoor–indoor difference, beyond which the
 *   shortfall shows indoors; a share of the difference always leaks through;
 * - with the HVAC off, the building floats between its set point and the outdoor air;
 * - people add heat.
 */
export function buildingClimate(seed: number, site: PlannedSite, tMs: number, effects: Effects): BuildingClimate {
  const design = buildingDesign(site);
  const time = localTime(tMs, site.city);
  const occupancy = occupancyShare(design.use, time);
  const outdoorC = outdoorTemperature(seed, site.city, tMs, effects.weather);
  const boosted = effects.cooling?.boost === true;
  const trippedFor = effects.cooling?.trippedForMs;
  const inUse = occupancy >= 0.05 || boosted;
  const gains = 1.2 * occupancy;

  if (outdoorC < HEATING_BELOW_C && !boosted) {
    const target = inUse ? design.setpointC : 16;
    const gap = outdoorC - target;
    return {
      outdoorC,
      indoorC: target + 0.04 * gap + gains,
      occupancy,
      mode: 'heat',
      load: Math.min(1.5, -gap / 30),
      boosted,
      tripped: false,
    };
  }
  if (!inUse) {
    const indoorC = 0.6 * design.setpointC + 0.4 * outdoorC + 0.5 + gains;
    return { outdoorC, indoorC, occupancy, mode: 'off', load: 0, boosted, tripped: false };
  }
  const target = design.setpointC;
  const gap = outdoorC - target;
  if (trippedFor !== undefined) {
    // No cooling: the building drifts towards the outdoor air over a quarter of an hour.
    const drift = Math.min(1, trippedFor / TRIP_WARMUP_MS);
    const indoorC = target + Math.max(0, gap) * (design.leak + (0.8 - design.leak) * drift) + gains;
    return { outdoorC, indoorC, occupancy, mode: 'fan', load: 0, boosted, tripped: true };
  }
  if (gap <= 0) {
    // Mild outside: ventilation only, the building sits a little above outdoor.
    return { outdoorC, indoorC: target + 0.3 * gap + gains, occupancy, mode: 'fan', load: 0, boosted, tripped: false };
  }
  const load = gap / design.designGapC;
  const shortfall = Math.max(0, gap - design.designGapC) * (1 - design.leak);
  return {
    outdoorC,
    indoorC: target + design.leak * gap + shortfall + gains,
    occupancy,
    mode: 'cool',
    load,
    boosted,
    tripped: false,
  };
}
