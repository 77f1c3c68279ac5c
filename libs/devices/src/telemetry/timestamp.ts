import type { Rejection } from '@citypulse/contracts';
import { quote, typeName } from './describe.js';
import { parseIsoTime } from './iso-time.js';
import { rejection } from './rejection.js';
import type { TelemetryLimits } from './types.js';

export type TimeWindow = Pick<TelemetryLimits, 'receivedAtMs' | 'maxFutureSkewMs' | 'maxPastAgeMs'>;

/** Date's own limit (±8.64e15 ms); beyond it toISOString throws and the time means nothing anyway. */
const MAX_DATE_MS = 8.64e15;

/**
 * A reading's time as epoch ms: `undefined` when it sent none (the broker then uses its receive time).
 * On a bad time it appends a Rejection to `out` and returns undefined, so callers compare `out.length`.
 * SenML times arrive already resolved to ms (`senml`), so details name them `t` and show only the date.
 */
export function resolveTimestamp(
  ts: unknown,
  window: TimeWindow,
  index: number | undefined,
  out: Rejection[],
  senml = false,
): number | undefined {
  if (ts === undefined) return undefined;
  const label = senml ? 't' : 'ts';
  let ms: number;
  if (typeof ts === 'number') ms = ts;
  else if (typeof ts === 'string') ms = parseIsoTime(ts);
  else {
    out.push(
      rejection(
        'timestamp_invalid',
        index,
        label,
        `${label} must be epoch milliseconds or an ISO-8601 string with a zone, not ${typeName(ts)}`,
      ),
    );
    return undefined;
  }
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) {
    const why =
      typeof ts === 'string'
        ? 'is not an ISO-8601 date-time with a zone (e.g. 2024-11-28T12:00:00Z)'
        : 'is not a usable epoch-millisecond time';
    out.push(rejection('timestamp_invalid', index, label, `${shown(label, ts)} ${why}`));
    return undefined;
  }
  if (ms > window.receivedAtMs + window.maxFutureSkewMs) {
    const ahead = Math.round((ms - window.receivedAtMs) / 1000);
    out.push(
      rejection(
        'timestamp_in_future',
        index,
        label,
        `${shown(label, ts, ms)} is ${ahead} s ahead of the broker clock; at ` +
          `most ${duration(window.maxFutureSkewMs)} is allowed`,
      ),
    );
    return undefined;
  }
  if (ms < window.receivedAtMs - window.maxPastAgeMs) {
    // The usual firmware bug: epoch seconds where milliseconds are expected.
    const hint =
      !senml && typeof ts === 'number' && Math.abs(ts * 1000 - window.receivedAtMs) <= window.maxPastAgeMs
        ? ' (it looks like epoch seconds; ts is epoch milliseconds)'
        : '';
    out.push(
      rejection(
        'timestamp_too_old',
        index,
        label,
        `${shown(label, ts, ms)} is more than ${duration(window.maxPastAgeMs)} before the broker clock${hint}`,
      ),
    );
    return undefined;
  }
  return ms;
}

function shown(label: string, ts: unknown, ms?: number): string {
  if (typeof ts === 'string') return `${label} = ${quote(ts)}`;
  if (ms === undefined) return `${label} = ${String(ts)}`;
  const iso = new Date(ms).toISOString();
  return label === 't' ? `t resolves to ${iso}, which` : `${label} = ${String(ts)} (${iso})`;
}

function duration(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`;
  return `${ms} ms`;
}
