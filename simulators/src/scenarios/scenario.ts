import type { RejectionReason } from '@citypulse/contracts';
import type { Effects } from '../model/effects.js';
import type { FleetPlan, PlannedDevice } from '../plan/types.js';

/** When, within a run, a scenario's event happens. */
export interface ScenarioWindow {
  startMs: number;
  endMs: number;
}

export interface ScenarioContext {
  seed: number;
  plan: FleetPlan;
  window: ScenarioWindow;
}

/** What goes wrong with a device's reporting (as opposed to the world it measures). */
export type Fault =
  /** Nothing is sent for this reading (radio loss, power cut). */
  | { kind: 'drop' }
  /** The sensor repeats its last good values. */
  | { kind: 'stuck' }
  /** The firmware sends something the broker must refuse. */
  | { kind: 'garbage'; variant: GarbageVariant }
  /** The device clock is off by this much. */
  | { kind: 'skew'; offsetMs: number }
  /** The device drops its connection and reconnects before sending this reading. */
  | { kind: 'reconnect' };

export const GARBAGE_VARIANTS = [
  'malformed_json',
  'invalid_shape',
  'empty_values',
  'unknown_field',
  'wrong_type',
  'not_finite',
  'out_of_range',
] as const;
export type GarbageVariant = (typeof GARBAGE_VARIANTS)[number];

/**
 * A named situation to simulate. It declares what it should cause — the catalogue rules it
 * raises (`type.rule` ids, as the alerts worker names them) and the rejection reasons the broker
 * gives — so tests can hold it to that through the real pipeline.
 */
export interface Scenario {
  name: string;
  summary: string;
  /** Raised in every run long enough, given a fleet with these rules' device types in its largest city. */
  raises: readonly string[];
  /** Raised or not depending on time of day or season (a heatwave at noon also overheats inverters). */
  mayRaise: readonly string[];
  /** Rejection reasons the broker answers with. */
  rejects: readonly RejectionReason[];
  /** Shortest run that shows everything declared. */
  minDurationMs: number;
  /** Where the event sits in the run, as fractions of its duration. */
  window: readonly [from: number, to: number];
  effects?(device: PlannedDevice, tMs: number, ctx: ScenarioContext): Effects | undefined;
  fault?(device: PlannedDevice, tMs: number, ctx: ScenarioContext): Fault | undefined;
}

/** 0 … 1 … 0 over a window: ramps in over `rampIn` of it, holds, ramps out over `rampOut`. */
export function envelope(tMs: number, window: ScenarioWindow, rampIn: number, rampOut: number): number {
  const length = window.endMs - window.startMs;
  const x = (tMs - window.startMs) / length;
  if (x < 0 || x >= 1) return 0;
  if (x < rampIn) return x / rampIn;
  if (x > 1 - rampOut) return (1 - x) / rampOut;
  return 1;
}

/** The catalogue device types a scenario needs for the alerts it promises. */
export function requiredTypes(scenario: Scenario): string[] {
  return [...new Set(scenario.raises.map((id) => id.slice(0, id.lastIndexOf('.'))))];
}
