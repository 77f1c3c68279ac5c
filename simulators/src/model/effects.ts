import type { FieldValue } from '@citypulse/contracts';
import type { PlannedDevice } from '../plan/types.js';
import type { WeatherEffect } from './weather.js';

/** What a scenario does to the physical world around one device at one moment. Absent: a normal day. */
export interface Effects {
  weather?: WeatherEffect;
  cooling?: {
    /** Building management runs every unit flat out, around the clock (heat emergency). */
    boost?: boolean;
    /** The site's chiller tripped this long ago: cooling is gone and the building warms towards outdoor. */
    trippedForMs?: number;
  };
  grid?: {
    /** Multiplies the supply voltage (0.82 is a deep sag). */
    voltageFactor?: number;
    /** Added to the grid frequency, Hz. */
    frequencyOffsetHz?: number;
    /** Inverters disconnect (anti-islanding) while the supply is out of limits. */
    invertersTripped?: boolean;
  };
  road?: {
    /** An incident at this junction began this long ago … */
    incidentForMs?: number;
    /** … and blocks lanes for this long; after that the queue dissipates and speed recovers. */
    incidentLastsMs?: number;
    /** 0 … 1: traffic backing up from a nearby incident slows this junction too. */
    spillback?: number;
  };
  signal?: {
    /** The junction's controller is forced to adaptive control with cycles of about this length, s. */
    cycleS: number;
  };
}

export type Values = Record<string, FieldValue>;

/** Everything a model may look at for one reading: pure inputs, no clock, no I/O. */
export interface ReadContext {
  seed: number;
  device: PlannedDevice;
  /** Simulated epoch ms of this reading. */
  tMs: number;
  /** Since this device's previous reading (its reporting interval, except for the first). */
  dtMs: number;
  effects: Effects;
}

/**
 * How one device type behaves. `read` is a pure function of its context and the small state the
 * previous reading left (a counter register, a lagging CO₂ level); it never reaches for a clock.
 */
export interface DeviceModel<S = unknown> {
  initial(ctx: ReadContext): S;
  read(ctx: ReadContext, state: S): { values: Values; state: S };
}
