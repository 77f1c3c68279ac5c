/**
 * Our end-to-end readings/s as a multiple of each baseline measured in the same run: the InfluxDB
 * ceiling's lines/s, Mosquitto's forwarded readings/s, the plain bridge's stored readings/s.
 * A baseline that measured 0 gives no ratio.
 */
export function baselineRatios(
  oursPerSecond: number,
  baselines: {
    influxCeiling?: { linesPerSecond: number };
    mosquitto?: { readingsPerSecond: number };
    plainBridge?: { endToEndReadingsPerSecond: number };
  },
): { ratioToInfluxCeiling?: number; ratioToMosquitto?: number; ratioToPlainBridge?: number } {
  const ratio = (theirs: number | undefined) => (theirs ? oursPerSecond / theirs : undefined);
  return {
    ratioToInfluxCeiling: ratio(baselines.influxCeiling?.linesPerSecond),
    ratioToMosquitto: ratio(baselines.mosquitto?.readingsPerSecond),
    ratioToPlainBridge: ratio(baselines.plainBridge?.endToEndReadingsPerSecond),
  };
}

/** CPU ms per process → µs per reading, to 0.01 µs; none when nothing was stored. */
export function usPerReading(cpuMs: Record<string, number>, readings: number): Record<string, number> {
  if (readings <= 0) return {};
  return Object.fromEntries(
    Object.entries(cpuMs).map(([name, ms]) => [name, Math.round(((ms * 1000) / readings) * 100) / 100]),
  );
}
