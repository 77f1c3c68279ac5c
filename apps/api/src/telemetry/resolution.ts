import { ROLLUPS, type Rollup } from '@citypulse/storage';
import type { TimeWindow } from './interval.js';

/*
 * Which stored resolution answers a history or aggregate query. Pure: unit-tested in
 * resolution.spec.ts. The rule (README, *Retention and rollups*):
 *
 * 1. Raw readings when the range is at most RAW_MAX_RANGE_MS and starts within the raw retention:
 *    short ranges are cheap, and raw holds the newest readings and late ones (a device's buffered
 *    upload) that a rollup computed earlier does not.
 * 2. Otherwise the coarsest rollup whose interval divides `every` (1h for 2h, 1d …; 1m for 15m …),
 *    so each answered interval is whole rollup intervals; raw when `every` is not whole minutes
 *    (saying so when the range goes back further than raw readings are kept).
 * 3. Raw, saying so, when that rollup does not exist on the server (VictoriaMetrics, 2.x/3.x
 *    without the mapped buckets, or CP_RETENTION_MANAGE=false with nothing set up).
 */

export const RAW_MAX_RANGE_MS = 6 * 3_600_000;

export type ResolutionName = 'raw' | Rollup['name'];

export interface RollupsOnServer {
  /** Retention policies present on the database. */
  policies: ReadonlySet<string>;
  /** How long the raw (default) policy keeps readings; Infinity when forever or unknown. */
  rawRetentionMs: number;
  /** Why they could not be read, when they could not. */
  error?: string;
}

export interface ResolutionChoice {
  resolution: ResolutionName;
  /** The rollup read, when one is. */
  rollup?: Rollup;
  /** The window actually answered: a rollup's widened to whole rollup intervals. */
  window: TimeWindow;
  /** Set when rollups would have answered but are missing: what was read instead, and why. */
  note?: string;
}

export function chooseResolution(window: TimeWindow, server: RollupsOnServer, nowMs: number): ResolutionChoice {
  const rangeMs = window.toMs - window.fromMs;
  const rawHoldsRange = window.fromMs >= nowMs - server.rawRetentionMs;
  if (rangeMs <= RAW_MAX_RANGE_MS && rawHoldsRange) return { resolution: 'raw', window };
  const rollup = ROLLUPS.find((r) => window.everyMs % r.intervalMs === 0);
  if (!rollup) {
    if (rawHoldsRange) return { resolution: 'raw', window };
    return {
      resolution: 'raw',
      window,
      note:
        'read raw readings, which are kept for a shorter time than this range goes back; an every in whole ' +
        'minutes reads the rollups',
    };
  }
  if (!server.policies.has(rollup.retentionPolicy)) {
    const why = server.error ?? `no retention policy ${rollup.retentionPolicy} on this database`;
    return {
      resolution: 'raw',
      window,
      note: `read raw readings: the ${rollup.name} rollup is not available (${why}); see README, Retention and rollups`,
    };
  }
  const fromMs = Math.floor(window.fromMs / rollup.intervalMs) * rollup.intervalMs;
  const toMs = Math.ceil(window.toMs / rollup.intervalMs) * rollup.intervalMs;
  return { resolution: rollup.name, rollup, window: { ...window, fromMs, toMs } };
}
