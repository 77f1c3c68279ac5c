import type { Effects } from '../model/effects.js';
import type { Scenario } from './scenario.js';

const MINUTE = 60_000;
const SAG_MS = 10 * MINUTE;
const DIP_START_MS = 1 * MINUTE;
const DIP_MS = 6 * MINUTE;
const RECOVERY_MS = 3 * MINUTE;

/**
 * A transmission fault near the largest city: its supply voltage sags to about 82 % (≈ 188 V) for
 * ten minutes while the loss of generation pulls the whole synchronous grid's frequency down to
 * about 49.35 Hz for six; PV inverters there disconnect (anti-islanding) until the voltage is back.
 * On recovery the voltage swings a little high and the frequency overshoots, both inside limits.
 */
export const gridFault: Scenario = {
  name: 'grid-fault',
  summary: 'Voltage sag to ≈188 V in the largest city for 10 min, grid frequency dip to ≈49.35 Hz for 6 min.',
  raises: ['electricity-meter.voltage-low', 'electricity-meter.frequency-low'],
  mayRaise: [],
  rejects: [],
  minDurationMs: 40 * MINUTE,
  window: [0.3, 0.7],
  effects(device, tMs, { window, plan }): Effects | undefined {
    if (device.type.family !== 'energy') return undefined;
    const since = tMs - window.startMs;
    if (since < 0 || since >= SAG_MS + RECOVERY_MS) return undefined;
    const local = device.city === plan.focusCity;
    const onGrid = device.city.grid === plan.focusCity.grid;
    const grid: NonNullable<Effects['grid']> = {};
    if (local) {
      grid.voltageFactor = since < SAG_MS ? 0.82 : 1.035;
      grid.invertersTripped = since < SAG_MS;
    }
    if (onGrid) {
      if (since >= DIP_START_MS && since < DIP_START_MS + DIP_MS) grid.frequencyOffsetHz = -0.65;
      else if (since >= DIP_START_MS + DIP_MS && since < DIP_START_MS + DIP_MS + RECOVERY_MS)
        grid.frequencyOffsetHz = 0.2;
    }
    return Object.keys(grid).length > 0 ? { grid } : undefined;
  },
};
