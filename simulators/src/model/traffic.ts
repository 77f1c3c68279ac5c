import type { Values } from './effects.js';
import type { DeviceModel } from './effects.js';
import { localTime } from './cities.js';
import { gaussian, uniform, wander } from './noise.js';
import { approach } from './params.js';
import { trafficDemand } from './schedules.js';

const MINUTE = 60_000;
/** Effective vehicle length for detector occupancy (vehicle plus loop), km. */
const VEHICLE_KM = 0.0065;
const BLOCKED_CAPACITY = 0.2;
const QUEUE_GROWTH_M_PER_MIN = 45;
const QUEUE_CLEAR_M_PER_MIN = 80;
const RECOVERY_MS = 10 * MINUTE;

/**
 * A detector on one approach. Demand follows two weekday rush hours (a broad weekend hump); speed
 * falls as volume nears capacity (a BPR-style curve), occupancy is density × vehicle length, and a
 * short queue forms at each red. An incident blocks most of the capacity: speed collapses to a
 * crawl and the queue grows by tens of metres a minute until it is cleared.
 */
export const trafficDetectorModel: DeviceModel<null> = {
  initial: () => null,
  read(ctx) {
    const { device, tMs, effects } = ctx;
    const road = approach(device);
    const demand = trafficDemand(localTime(tMs, device.city));
    const capacity = road.lanes * road.laneCapacity;
    const flow = capacity * 0.85 * demand * (1 + 0.1 * wander(device.key, tMs, 20 * MINUTE));
    const vc = flow / capacity;
    const normalSpeed = road.freeFlowKmh * (1 - 0.5 * vc ** 2.5) * (1 - 0.25 * (effects.road?.spillback ?? 0));
    const normalQueue = 15 + 160 * vc ** 3 + 10 * wander(device.key ^ 0x3c, tMs, 10 * MINUTE);

    let hourlyFlow = flow;
    let speed = normalSpeed + 1.5 * gaussian(device.key, tMs, 121);
    let queue = normalQueue;
    const sinceIncident = effects.road?.incidentForMs;
    const lasts = effects.road?.incidentLastsMs ?? 0;
    const growth = QUEUE_GROWTH_M_PER_MIN * Math.max(0.5, demand);
    if (sinceIncident !== undefined && sinceIncident < lasts) {
      hourlyFlow = Math.min(flow, capacity * BLOCKED_CAPACITY);
      speed = 4 + 4 * uniform(device.key, tMs, 122);
      queue = normalQueue + growth * (sinceIncident / MINUTE);
    } else if (sinceIncident !== undefined && sinceIncident - lasts < RECOVERY_MS) {
      const clearedFor = sinceIncident - lasts;
      speed = 8 + (normalSpeed - 8) * (clearedFor / RECOVERY_MS);
      queue = Math.max(
        normalQueue,
        normalQueue + growth * (lasts / MINUTE) - QUEUE_CLEAR_M_PER_MIN * (clearedFor / MINUTE),
      );
    }
    const mean = (hourlyFlow * ctx.dtMs) / 3_600_000;
    const count = Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(device.key, tMs, 123)));
    const values: Values = { vehicle_count: count };
    // The catalogue asks to omit mean speed when nothing passed: 0 km/h would read as a jam.
    if (count > 0) values.mean_speed = Math.max(1, speed);
    values.occupancy = Math.min(98, (hourlyFlow / road.lanes / Math.max(1, speed)) * VEHICLE_KM * 100);
    values.queue_length = Math.max(0, queue);
    return { state: null, values };
  },
};

/**
 * A junction controller: adaptive cycles that lengthen with demand by day, actuated early and
 * late, flashing amber in the small hours. Scenarios can force long adaptive cycles (an incident).
 */
export const signalControllerModel: DeviceModel<null> = {
  initial: () => null,
  read(ctx) {
    const { device, tMs, effects } = ctx;
    const time = localTime(tMs, device.city);
    const demand = trafficDemand(time);
    const forced = effects.signal?.cycleS;
    const mode =
      forced !== undefined
        ? 'adaptive'
        : time.hour >= 1 && time.hour < 5
          ? 'flashing'
          : time.hour >= 6 && time.hour < 23
            ? 'adaptive'
            : 'actuated';
    let cycle = 0;
    if (forced !== undefined) cycle = forced + 15 * uniform(device.key, tMs, 131);
    else if (mode === 'adaptive') cycle = 70 + 60 * demand + 4 * wander(device.key, tMs, 15 * MINUTE);
    else if (mode === 'actuated') cycle = 60 + 20 * demand;
    const phase = cycle > 0 ? 1 + Math.floor(((tMs / 1000) % cycle) / (cycle / 4)) : 0;
    return { state: null, values: { phase: Math.min(4, phase), mode, cycle_time: cycle, fault: false } };
  },
};
