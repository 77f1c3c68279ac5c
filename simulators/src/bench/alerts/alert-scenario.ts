/**
 * The bench's scripted signals, pure: the threshold it crosses, when each crosser crosses, and
 * what a flapper sends. The bench rule raises above THRESHOLD and clears at or below CLEAR, so a
 * value oscillating just around THRESHOLD stays one alert until it falls below CLEAR.
 */
export const BENCH_RULE_ID = 'bench.voltage-spike';
export const THRESHOLD = 260;
export const CLEAR = 250;

export const benchRule = {
  id: BENCH_RULE_ID,
  deviceType: 'electricity-meter',
  field: 'voltage',
  condition: { kind: 'above', threshold: THRESHOLD, clearBelow: CLEAR },
  forSeconds: 0,
  severity: 'critical',
  description: 'bench: voltage spike (the load never goes above 235 V)',
};

/**
 * When crosser i of n crosses: spread evenly over the load after `warmupMs` (connections ramping,
 * the flappers' burst, a cold JIT), away from its end.
 */
export function crossingOffsetsMs(n: number, durationMs: number, warmupMs = 0): number[] {
  return Array.from({ length: n }, (_, i) => warmupMs + Math.round(((i + 1) * (durationMs - warmupMs)) / (n + 1)));
}

/**
 * A flapper's readings on event time, one per second: each episode oscillates 259/261 V around
 * the 260 V threshold for `minutes`, then drops to 240 V (below the 250 V clear level) for ten
 * seconds. Expected: one alert per episode.
 */
export function flapReadings(
  startMs: number,
  minutes: number,
  episodes: number,
): Array<{ ts: number; voltage: number }> {
  const readings: Array<{ ts: number; voltage: number }> = [];
  let ts = startMs;
  for (let e = 0; e < episodes; e++) {
    for (let s = 0; s < minutes * 60; s++, ts += 1000)
      readings.push({ ts, voltage: s % 2 === 0 ? THRESHOLD + 1 : THRESHOLD - 1 });
    for (let s = 0; s < 10; s++, ts += 1000) readings.push({ ts, voltage: CLEAR - 10 });
  }
  return readings;
}

export function flapSpanMs(minutes: number, episodes: number): number {
  return episodes * (minutes * 60 + 10) * 1000;
}
