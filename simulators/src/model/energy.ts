import { localTime } from './cities.js';
import type { DeviceModel, ReadContext } from './effects.js';
import { gaussian, hashString, mix, uniform, wander } from './noise.js';
import { inverterRatingKw, supplyPoint } from './params.js';
import { loadShare } from './schedules.js';
import { cloudiness, outdoorTemperature, sunShare } from './weather.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The supply's voltage and frequency are shared: every meter in a city sees the same wander, every city on a grid the
 * same frequency.
 */
function gridKey(seed: number, name: string): number {
  return mix(seed, hashString(`grid/${name}`));
}

/** Electricity a site's inverters feed in right now, kW. */
export function pvOutputKw(seed: number, ratingKw: number, ctx: Pick<ReadContext, 'device' | 'tMs'>): number {
  const clouds = cloudiness(seed, ctx.device.city, ctx.tMs);
  return ratingKw * sunShare(ctx.device.city, ctx.tMs) * (1 - 0.75 * clouds);
}

/**
 * A supply meter. Load follows the site's daily curve (office, residential or industrial) and
 * rises with air conditioning on hot days; PV at the site lowers the import (and can export at
 * noon). Voltage wanders a few volts around 230 V and dips a little under load; frequency
 * wanders a few hundredths of a hertz around 50 Hz, the same on the whole grid. The register
 * only grows: it integrates imported power between readings.
 */
export const electricityMeterModel: DeviceModel<{ energyKwh: number }> = {
  initial: (ctx) => ({ energyKwh: Math.round(10_000 + 4_990_000 * uniform(ctx.device.key, 101) ** 2) }),
  read(ctx, state) {
    const { device, tMs, effects } = ctx;
    const point = supplyPoint(device.site);
    const outdoor = outdoorTemperature(ctx.seed, device.city, tMs, effects.weather);
    const weather = Math.min(1.45, 1 + (0.35 * Math.max(0, outdoor - 24)) / 12 + (0.1 * Math.max(0, 5 - outdoor)) / 20);
    const load =
      point.peakKw *
      loadShare(point.profile, localTime(tMs, device.city)) *
      weather *
      (1 + 0.06 * wander(device.key, tMs, 30 * MINUTE));
    const pv = effects.grid?.invertersTripped ? 0 : pvOutputKw(ctx.seed, device.site.pvKw, ctx);
    const power = load - pv;
    const cityGrid = gridKey(ctx.seed, device.city.name);
    const nominal =
      230 +
      2.5 * wander(cityGrid, tMs, 6 * HOUR) +
      1.2 * wander(device.key ^ 0x1d, tMs, 20 * MINUTE) -
      3 * (Math.max(0, power) / 500);
    const voltage = nominal * (effects.grid?.voltageFactor ?? 1);
    const frequency =
      50 +
      0.035 * wander(gridKey(ctx.seed, device.city.grid), tMs, 4 * MINUTE) +
      0.004 * gaussian(device.key, tMs, 102) +
      (effects.grid?.frequencyOffsetHz ?? 0);
    const powerFactor = 0.9 + 0.05 * wander(device.key ^ 0x2e, tMs, 2 * HOUR);
    const energyKwh = state.energyKwh + (Math.max(0, power) * ctx.dtMs) / HOUR;
    return {
      state: { energyKwh },
      values: {
        voltage,
        // Phase-averaged current of a three-phase supply.
        current: (Math.abs(power) * 1000) / (3 * voltage * powerFactor),
        active_power: power,
        energy: energyKwh,
        power_factor: powerFactor,
        frequency,
      },
    };
  },
};

/**
 * A PV inverter: output follows the sun (day length and height by season, clouds drifting over),
 * the heatsink warms with output and with hot air, the yield register integrates output. It
 * disconnects (fault) while the grid is out of limits, as anti-islanding protection requires.
 */
export const solarInverterModel: DeviceModel<{ energyKwh: number }> = {
  initial: (ctx) => ({ energyKwh: Math.round(500 + 400_000 * uniform(ctx.device.key, 111)) }),
  read(ctx, state) {
    const { device, tMs, effects } = ctx;
    const rating = inverterRatingKw(device.key);
    const outdoor = outdoorTemperature(ctx.seed, device.city, tMs, effects.weather);
    const share = pvOutputKw(ctx.seed, rating, ctx) / rating;
    const tripped = effects.grid?.invertersTripped === true;
    const temperature =
      outdoor +
      2 +
      (tripped ? 0 : 22 * share * (1 + 0.08 * Math.max(0, outdoor - 35))) +
      0.3 * gaussian(device.key, tMs, 112);
    const throttled = temperature > 72;
    const acPower = tripped
      ? 0
      : rating * share * (throttled ? 0.85 : 1) * (0.97 + 0.03 * uniform(device.key, tMs, 113));
    const state_ = tripped
      ? 'fault'
      : share <= 0
        ? 'off'
        : share < 0.04
          ? 'starting'
          : throttled
            ? 'throttled'
            : 'mppt';
    const energyKwh = state.energyKwh + (acPower * ctx.dtMs) / HOUR;
    return {
      state: { energyKwh },
      values: {
        dc_voltage: share > 0 ? 560 + 180 * Math.sqrt(share) - 2 * (temperature - 25) : 0,
        ac_power: acPower,
        energy: energyKwh,
        inverter_temp: temperature,
        state: state_,
        fault: tripped,
      },
    };
  },
};
