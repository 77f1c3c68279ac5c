/**
 * Replay timing, pure. A capture spans [startMs, endMs) of simulated time; replaying at `speed`
 * (Infinity = as fast as possible) maps a publish at simulated `t` to a wall time, and optionally
 * shifts device timestamps so the traffic looks recent.
 */

/** When (wall ms) a publish at simulated `t` is due. As fast as possible: at once. */
export function dueAt(t: number, captureStartMs: number, wallStartMs: number, speed: number): number {
  if (!Number.isFinite(speed)) return wallStartMs;
  return wallStartMs + (t - captureStartMs) / speed;
}

/**
 * How much to add to device timestamps so the traffic is "now": the newest reading is never ahead
 * of the wall clock (the broker refuses more than 5 min ahead), and the replay ends at the present.
 * At 1× (or slower) each reading is stamped when it is sent; at N× the whole span is compressed
 * into the past so that the last reading lands when it is sent; as fast as possible, the capture
 * ends at the moment the replay starts.
 */
export function shiftToNowMs(captureStartMs: number, captureEndMs: number, wallStartMs: number, speed: number): number {
  const span = captureEndMs - captureStartMs;
  const lag = Number.isFinite(speed) ? Math.min(0, span * (1 / speed - 1)) : -span;
  return wallStartMs - captureStartMs + lag;
}

/** The simulated start that makes a live run end as it is sent: the same rule, for `sim run`. */
export function liveStartMs(nowMs: number, durationMs: number, speed: number): number {
  return nowMs + shiftToNowMs(0, durationMs, 0, speed);
}

/**
 * Adds `shiftMs` to every device timestamp in a telemetry payload (single reading, batch, or
 * SenML `bt` in seconds), leaving everything else byte-for-byte alone. A payload that is not
 * valid JSON (garbage on purpose) is returned as is.
 */
export function shiftPayload(payload: string, shiftMs: number): string {
  if (shiftMs === 0) return payload;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  const shiftReading = (r: unknown) => {
    if (isObject(r) && typeof r.ts === 'number') r.ts = r.ts + shiftMs;
    if (isObject(r) && typeof r.ts === 'string' && !Number.isNaN(Date.parse(r.ts)))
      r.ts = new Date(Date.parse(r.ts) + shiftMs).toISOString();
  };
  if (Array.isArray(parsed)) {
    for (const record of parsed) {
      if (isObject(record) && typeof record.bt === 'number') record.bt = record.bt + shiftMs / 1000;
      else shiftReading(record);
    }
  } else if (isObject(parsed) && Array.isArray(parsed.readings)) parsed.readings.forEach(shiftReading);
  else shiftReading(parsed);
  return JSON.stringify(parsed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
