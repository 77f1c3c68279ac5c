import { buildingClimate } from './building-climate.js';
import type { DeviceModel } from './effects.js';
import { localTime } from './cities.js';
import { gaussian, uniform, wander } from './noise.js';
import { hvacRatingKw, roomCapacity } from './params.js';
import { outdoorHumidity } from './weather.js';

const MINUTE = 60_000;
/** CO₂ in a room follows its people with roughly this time constant (ventilation rate). */
const CO2_LAG_MS = 20 * MINUTE;
const OUTDOOR_CO2 = 430;

/**
 * A room sensor. Occupancy follows the building's schedule scaled to the room; CO₂ rises towards a
 * level set by how full the room is and lags behind it; temperature is the building's plus the
 * room's own offset; humidity follows the outdoor air, damped, plus what people breathe out.
 */
export const envSensorModel: DeviceModel<{ co2: number }> = {
  initial: (ctx) => ({ co2: co2Target(ctx) }),
  read(ctx, state) {
    const { device, tMs } = ctx;
    const climate = buildingClimate(ctx.seed, device.site, tMs, ctx.effects);
    const capacity = roomCapacity(device);
    const occupants = roomOccupants(ctx, climate.occupancy, capacity);
    const target = OUTDOOR_CO2 + 620 * (occupants / capacity);
    const co2 = target + (state.co2 - target) * Math.exp(-ctx.dtMs / CO2_LAG_MS);
    const roomOffset = 1.2 * (uniform(device.key, 71) - 0.5);
    return {
      state: { co2 },
      values: {
        temperature: climate.indoorC + roomOffset + 0.15 * gaussian(device.key, tMs, 72),
        humidity:
          38 +
          0.3 * (outdoorHumidity(ctx.seed, device.city, tMs) - 50) +
          6 * (occupants / capacity) +
          0.8 * gaussian(device.key, tMs, 73),
        co2: co2 + 12 * gaussian(device.key, tMs, 74),
        occupancy: occupants,
      },
    };
  },
};

function roomOccupants(ctx: { device: { key: number }; tMs: number }, share: number, capacity: number): number {
  const busy = share * (1 + 0.15 * wander(ctx.device.key ^ 0x75, ctx.tMs, 30 * MINUTE));
  return Math.max(0, Math.min(capacity, Math.round(capacity * busy)));
}

function co2Target(ctx: Parameters<typeof envSensorModel.read>[0]): number {
  const climate = buildingClimate(ctx.seed, ctx.device.site, ctx.tMs, ctx.effects);
  const capacity = roomCapacity(ctx.device);
  return OUTDOOR_CO2 + 620 * (roomOccupants(ctx, climate.occupancy, capacity) / capacity);
}

/**
 * An air handler / chiller. Its power follows the indoor–outdoor difference it works against
 * (capped at 80 % of nameplate in normal operation, 100 % when boosted), and grows with the
 * outdoor temperature above 32 °C as the condenser struggles. Heating comes from district heat,
 * so in winter it only runs pumps and fans.
 */
export const hvacUnitModel: DeviceModel<null> = {
  initial: () => null,
  read(ctx) {
    const { device, tMs } = ctx;
    const c = buildingClimate(ctx.seed, device.site, tMs, ctx.effects);
    const rating = hvacRatingKw(device);
    const jitter = 1 + 0.02 * gaussian(device.key, tMs, 81);
    const condenser = 1 + 0.02 * Math.max(0, c.outdoorC - 32);
    const duty = Math.min(1, c.load);
    let power: number;
    let supply: number;
    let ret: number;
    if (c.mode === 'cool') {
      power = rating * (c.boosted ? 1 : 0.1 + 0.7 * duty) * condenser;
      supply = 12 - 5 * duty;
      ret = supply + 2 + 4 * duty;
    } else if (c.mode === 'heat') {
      power = rating * (0.06 + 0.1 * duty);
      supply = 35 + 20 * duty;
      ret = supply - 5 - 5 * duty;
    } else {
      power = rating * (c.mode === 'fan' ? 0.08 : 0.004);
      supply = c.indoorC - 0.5;
      ret = c.indoorC;
    }
    return {
      state: null,
      values: {
        supply_temp: supply + 0.2 * gaussian(device.key, tMs, 82),
        return_temp: ret + 0.2 * gaussian(device.key, tMs, 83),
        power: power * jitter,
        mode: c.mode,
        fault: c.tripped,
      },
    };
  },
};

/** A lift: busier when the building is full; the motor warms with use; a weekly maintenance hour. */
export const liftModel: DeviceModel<null> = {
  initial: () => null,
  read(ctx) {
    const { device, tMs } = ctx;
    const c = buildingClimate(ctx.seed, device.site, tMs, ctx.effects);
    const time = localTime(tMs, device.city);
    const maintenanceDay = Math.floor(uniform(device.key, 91) * 5) + 1;
    const inMaintenance = !time.weekend && time.weekday === maintenanceDay && time.hour >= 10 && time.hour < 11;
    const tripsPerHour = 140 * c.occupancy;
    const mean = (tripsPerHour * ctx.dtMs) / 3_600_000;
    const trips = inMaintenance ? 0 : Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(device.key, tMs, 92)));
    const u = uniform(device.key, tMs, 93);
    const busy = 0.15 + 0.7 * c.occupancy;
    const status = inMaintenance ? 'maintenance' : u < busy ? 'moving' : u < busy + 0.1 ? 'doors_open' : 'idle';
    return {
      state: null,
      values: {
        status,
        fault: false,
        trips,
        motor_temp: c.indoorC + 6 + 22 * c.occupancy + 0.5 * gaussian(device.key, tMs, 94),
      },
    };
  },
};
