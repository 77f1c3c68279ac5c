import type { ConfigValue } from '@citypulse/contracts';

/**
 * A device's shadow: the configuration operators want (desired) next to the one the device last
 * said it runs (reported), each with its own version and time, and the delta between them.
 */
export interface Shadow {
  deviceId: string;
  desired: Record<string, ConfigValue>;
  reported: Record<string, ConfigValue>;
  /** Desired keys whose value the device has not reported (yet): what it still has to apply. */
  delta: Record<string, ConfigValue>;
  /** Grows by one with every desired update; 0 before the first. */
  desiredVersion: number;
  /** Grows by one with every report the broker accepted; 0 before the first. */
  reportedVersion: number;
  desiredAt?: string;
  reportedAt?: string;
}

/** A partial update: a value sets a key, null removes it. */
export type ConfigPatch = Record<string, ConfigValue | null>;
