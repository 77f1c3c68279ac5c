import type { ShareAgreement } from '@citypulse/registry';
import { sharedWindow, type SharedWindow } from './shared-window.js';

/*
 * Which stored data a live shared stream covers at one tick. Pure (unit-tested in
 * shared-live.spec.ts). Live data is computed from what InfluxDB holds, so every broker's and every
 * city's readings count, and the agreement confines it exactly as it confines a query
 * (sharedWindow): an aggregate-only share's stream is mean/min/max of whole closed intervals of its
 * minimum length — never an open interval, never a reading — and a raw share's stream is the
 * readings of the last few minutes, each sent once.
 */

/** A raw share's readings are looked for this far back (device time), so late arrivals still go out. */
export const RAW_LOOKBACK_MS = 5 * 60_000;
/** An aggregate share's last closed intervals looked at: a late reading changes one, which is sent again. */
export const AGGREGATE_LOOKBACK_INTERVALS = 2;

/** The window of the share's live stream at `nowMs`; undefined when it covers nothing now (outside its data range). */
export function liveWindow(share: ShareAgreement, nowMs: number): SharedWindow | undefined {
  const iso = (ms: number) => new Date(ms).toISOString();
  let window;
  if (share.granularity.kind === 'raw') {
    window = sharedWindow(share, { from: iso(nowMs - RAW_LOOKBACK_MS), to: iso(nowMs), every: 'raw' }, nowMs);
  } else {
    const everyMs = share.granularity.minIntervalMinutes * 60_000;
    const closedToMs = Math.floor(nowMs / everyMs) * everyMs;
    window = sharedWindow(
      share,
      {
        from: iso(closedToMs - AGGREGATE_LOOKBACK_INTERVALS * everyMs),
        to: iso(closedToMs),
        every: `${share.granularity.minIntervalMinutes}m`,
      },
      nowMs,
    );
  }
  return 'field' in window ? undefined : window;
}
