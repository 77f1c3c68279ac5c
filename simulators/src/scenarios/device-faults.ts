import { deviceTypes } from '@citypulse/devices';
import { uniform } from '../model/noise.js';
import type { FleetPlan, PlannedDevice } from '../plan/types.js';
import { GARBAGE_VARIANTS, type Fault, type Scenario } from './scenario.js';
import { inWindow, isVictim, tickNumber } from './victims.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The catalogue's default deadman rule of every type (alert-config names them `type.no-data`). */
const NO_DATA = Object.keys(deviceTypes).map((type) => `${type}.no-data`);

/**
 * A sensor freezes and keeps repeating its last values. Threshold rules cannot see it — which is
 * the point of running it: it raises nothing and is rejected nowhere, and only a flat-line or
 * deadman-style check would catch it.
 */
export const stuckValue: Scenario = {
  name: 'stuck-value',
  summary: 'Some sensors freeze and repeat their last values; nothing is rejected and no threshold rule notices.',
  raises: [],
  mayRaise: [],
  rejects: [],
  minDurationMs: 10 * MINUTE,
  window: [0.2, 0.9],
  fault: (device, tMs, { plan, window }) =>
    inWindow(tMs, window) && isVictim(device, plan, 0.15, 201) ? { kind: 'stuck' } : undefined,
};

/**
 * Readings go missing: the largest city's first building loses its uplink for the middle of the
 * window (longer than the default deadman window of five reporting intervals), and a share of
 * other devices drop about a third of their readings. Raises the building's no-data alerts — live
 * at 1× on the wall clock, and in a replay at any speed, whose devices are judged on the replayed
 * clock as a backtest judges them (a replay session).
 */
export const dropouts: Scenario = {
  name: 'dropouts',
  summary:
    'A building loses its uplink (no-data alerts, live or replayed) and some devices drop a third of their readings.',
  raises: ['env-sensor.no-data', 'hvac-unit.no-data', 'lift.no-data'],
  // Three dropped readings in a row are rare, but a short deadman window can catch them.
  mayRaise: NO_DATA,
  rejects: [],
  minDurationMs: 40 * MINUTE,
  window: [0.2, 0.8],
  fault(device, tMs, { plan, window }): Fault | undefined {
    if (!inWindow(tMs, window)) return undefined;
    const length = window.endMs - window.startMs;
    const outage = tMs >= window.startMs + 0.3 * length && tMs < window.startMs + 0.7 * length;
    if (outage && device.city === plan.focusCity && device.site.family === 'building' && device.site.index === 0)
      return { kind: 'drop' };
    if (uniform(device.key, 211) < 0.1 && uniform(device.key, tMs, 212) < 0.35) return { kind: 'drop' };
    return undefined;
  },
};

/**
 * Firmware bugs: truncated JSON, wrong shapes, strings for numbers, 1e999, impossible values.
 * Every payload variant appears; the broker refuses each with its reason, stores none of them,
 * and no alert is raised from an impossible value.
 */
export const garbage: Scenario = {
  name: 'garbage',
  summary: 'Malformed, mis-shaped, mistyped, non-finite and out-of-range payloads; each refused with its reason.',
  raises: [],
  mayRaise: [],
  rejects: [
    'malformed_json',
    'invalid_shape',
    'empty_values',
    'unknown_field',
    'wrong_type',
    'not_finite',
    'out_of_range',
  ],
  minDurationMs: 30 * MINUTE,
  window: [0.2, 0.8],
  fault(device, tMs, { plan, window }): Fault | undefined {
    if (!inWindow(tMs, window)) return undefined;
    const tick = tickNumber(device, tMs);
    if (device.city === plan.focusCity && device.index === 0) {
      // Every other reading, cycling through the variants, so every run shows each one.
      return tick % 2 === 0
        ? { kind: 'garbage', variant: GARBAGE_VARIANTS[(tick / 2) % GARBAGE_VARIANTS.length] }
        : undefined;
    }
    if (uniform(device.key, 221) < 0.1 && uniform(device.key, tMs, 222) < 0.2) {
      return {
        kind: 'garbage',
        variant: GARBAGE_VARIANTS[Math.floor(uniform(device.key, tMs, 223) * GARBAGE_VARIANTS.length)],
      };
    }
    return undefined;
  },
};

/** Offsets of the first devices of the largest city: a day ahead, a month behind, slightly fast, a bit slow. */
const SKEWS_MS = [DAY, -30 * DAY, 90_000, -(20 * MINUTE + 7_300)];
const skewedDevices = new WeakMap<FleetPlan, Map<string, number>>();

function skewOf(device: PlannedDevice, plan: FleetPlan): number | undefined {
  let skews = skewedDevices.get(plan);
  if (!skews) {
    skews = new Map(
      plan.devices
        .filter((d) => d.city === plan.focusCity)
        .slice(0, SKEWS_MS.length)
        .map((d, i) => [d.id, SKEWS_MS[i]]),
    );
    skewedDevices.set(plan, skews);
  }
  return skews.get(device.id);
}

/**
 * Device clocks that are wrong for the whole run. A day ahead is refused as `timestamp_in_future`,
 * a month behind as `timestamp_too_old` (CP_MAX_PAST_AGE_MS is 7 days); 90 s fast and 20 min
 * slow are inside the limits and stored at the wrong time, as they would be in real life — and
 * the slow one looks silent to the deadman check, whose no-data alert it raises.
 * (Replaying a capture more than a day old moves "a day ahead" into the past: it is then accepted.)
 */
export const clockSkew: Scenario = {
  name: 'clock-skew',
  summary:
    'Device clocks a day ahead (refused), a month behind (refused), 90 s fast and 20 min slow (stored; looks silent).',
  raises: [],
  // Which type the slow clock belongs to depends on the fleet.
  mayRaise: NO_DATA,
  rejects: ['timestamp_in_future', 'timestamp_too_old'],
  minDurationMs: 0,
  window: [0, 1],
  fault(device, _tMs, { plan }): Fault | undefined {
    const offsetMs = skewOf(device, plan);
    return offsetMs === undefined ? undefined : { kind: 'skew', offsetMs };
  },
};

/**
 * Three waves in which every device drops its connection and reconnects at once (a network blip
 * or a broker restart): hundreds of CONNECTs with credential checks. Nothing may be lost, rejected
 * or alerted.
 */
export const reconnectStorm: Scenario = {
  name: 'reconnect-storm',
  summary: 'Three waves in which every device reconnects at once; nothing lost, rejected or alerted.',
  raises: [],
  mayRaise: [],
  rejects: [],
  minDurationMs: 10 * MINUTE,
  window: [0.25, 0.75],
  fault(device, tMs, { window }): Fault | undefined {
    const length = window.endMs - window.startMs;
    for (const wave of [0, 0.5, 1]) {
      const at = window.startMs + wave * length;
      if (at <= tMs && at > tMs - device.intervalMs) return { kind: 'reconnect' };
    }
    return undefined;
  },
};
