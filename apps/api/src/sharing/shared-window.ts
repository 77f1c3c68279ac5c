import { defaultEvery, intervalMs, resolveWindow, type TimeWindow } from '../telemetry/interval.js';
import { isTotals, type ShareAgreement } from './share-store.js';

/*
 * The time window a read through a share answers. Pure (unit-tested in shared-window.spec.ts).
 * The agreement bounds it: the requested range is clipped to the share's data range, and an
 * aggregate-only share refuses raw readings and intervals below its minimum, and answers whole
 * intervals only — a half interval at an edge would be an aggregate over fewer minutes than agreed.
 */

export type SharedWindow = { raw: true; fromMs: number; toMs: number } | ({ raw: false } & TimeWindow);
export type SharedWindowProblem = { field: 'from' | 'to' | 'every'; message: string };

export function sharedWindow(
  share: ShareAgreement,
  query: { from?: string; to?: string; every?: string },
  nowMs: number,
): SharedWindow | SharedWindowProblem {
  const shareFromMs = Date.parse(share.from);
  const shareToMs = Date.parse(share.to);
  const toMs = Math.min(query.to === undefined ? nowMs : Date.parse(query.to), shareToMs);
  const fromMs = Math.max(query.from === undefined ? toMs - 3_600_000 : Date.parse(query.from), shareFromMs);
  if (!(fromMs < toMs))
    return {
      field: 'from',
      message: `the share covers data from ${share.from} to ${share.to} only; this range holds none of it`,
    };
  const minMs = share.granularity.kind === 'raw' ? 0 : share.granularity.minIntervalMinutes * 60_000;
  if (query.every === 'raw') {
    if (isTotals(share.granularity))
      return {
        field: 'every',
        message:
          `this share gives per-${share.granularity.kind === 'site-totals' ? 'site' : 'district'} totals only, over ` +
          `intervals of at least ${minMs / 60_000} min: no device's readings`,
      };
    if (minMs > 0)
      return {
        field: 'every',
        message: `this share gives aggregates only, over intervals of at least ${minMs / 60_000} min`,
      };
    return { raw: true, fromMs, toMs };
  }
  let every = query.every ?? defaultEvery(toMs - fromMs);
  if (intervalMs(every) < minMs) {
    if (query.every !== undefined)
      return {
        field: 'every',
        message:
          `this share gives aggregates over intervals of at least ${minMs / 60_000} min; every=${every} is ` +
          `shorter`,
      };
    every = `${minMs / 60_000}m`;
  }
  const everyMs = intervalMs(every);
  // Aggregate-only: whole intervals inside the range (InfluxDB aligns intervals to the epoch).
  const [from, to] =
    minMs > 0 ? [Math.ceil(fromMs / everyMs) * everyMs, Math.floor(toMs / everyMs) * everyMs] : [fromMs, toMs];
  if (!(from < to)) return { field: 'from', message: `the range within the share holds no whole ${every} interval` };
  const window = resolveWindow({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), every }, nowMs);
  return 'field' in window ? window : { raw: false, ...window };
}
