import type { Effects } from '../model/effects.js';
import { envelope, type Scenario } from './scenario.js';

const MINUTE = 60_000;

/**
 * A heat dome over the whole region: outdoor air climbs to 42–46 °C whatever the hour, building
 * management runs every HVAC unit flat out around the clock, and halfway through, the chiller of
 * the largest city's first building trips under the load.
 *
 * Raises: the big unit there draws over 450 kW for more than 5 minutes (hvac-unit.power-high)
 * until its chiller trips; then that building's rooms climb past 35 °C (env-sensor.temperature-high).
 * Inverters in full sun overheat too, but only by day.
 */
export const heatwave: Scenario = {
  name: 'heatwave',
  summary: 'Outdoor 42–46 °C, HVAC flat out, a chiller trips in the largest city: power-high, then rooms overheat.',
  raises: ['hvac-unit.power-high', 'env-sensor.temperature-high'],
  mayRaise: ['solar-inverter.inverter-hot'],
  rejects: [],
  minDurationMs: 90 * MINUTE,
  window: [0.2, 0.8],
  effects(device, tMs, { window, plan }): Effects | undefined {
    const heat = envelope(tMs, window, 0.2, 0.05);
    if (heat === 0) return undefined;
    const effects: Effects = { weather: { boostC: 12 * heat, floorC: 30 + 12 * heat } };
    if (device.type.family !== 'building' || heat < 0.5) return effects;
    const tripAt = window.startMs + 0.5 * (window.endMs - window.startMs);
    const tripped = device.city === plan.focusCity && device.site.index === 0 && tMs >= tripAt;
    effects.cooling = tripped ? { boost: true, trippedForMs: tMs - tripAt } : { boost: true };
    return effects;
  },
};
