/**
 * The broker stores a reading sent without `ts` at its receive time. A tap keeps such a reading's
 * time by writing in when it arrived (the broker's receive time to a few ms); otherwise a backfill
 * replay would store it at the replay's own receive time. Readings with their own `ts`, payloads
 * that are not JSON, and SenML packs (whose times are relative to `bt`) are returned unchanged,
 * byte for byte.
 */
export function stampMissingTimestamps(payload: string, receivedAtMs: number): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return payload;
  }
  const readings = Array.isArray(parsed)
    ? parsed
    : isObject(parsed) && Array.isArray(parsed.readings)
      ? (parsed.readings as unknown[])
      : [parsed];
  // Only what the broker decodes as a reading ({ts?, values}); a SenML record has no `values`.
  const unstamped = readings.filter(
    (r): r is Record<string, unknown> => isObject(r) && Object.hasOwn(r, 'values') && !Object.hasOwn(r, 'ts'),
  );
  if (unstamped.length === 0) return payload;
  for (const reading of unstamped) reading.ts = receivedAtMs;
  return JSON.stringify(parsed);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
