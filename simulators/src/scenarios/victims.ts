import { uniform } from '../model/noise.js';
import type { FleetPlan, PlannedDevice } from '../plan/types.js';

/**
 * Which devices a fault scenario hits: the first device of every type in the largest city (so
 * every run shows the fault), plus a keyed share of the rest.
 */
export function isVictim(device: PlannedDevice, plan: FleetPlan, share: number, salt: number): boolean {
  return (device.city === plan.focusCity && device.index === 0) || uniform(device.key, salt) < share;
}

/** The reading number of a device at a time: what alternates faults tick by tick. */
export function tickNumber(device: PlannedDevice, tMs: number): number {
  return Math.floor((tMs - device.phaseMs) / device.intervalMs);
}

export function inWindow(tMs: number, window: { startMs: number; endMs: number }): boolean {
  return tMs >= window.startMs && tMs < window.endMs;
}
