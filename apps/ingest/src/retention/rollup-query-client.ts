import type { AppConfig } from '@citypulse/config';
import { InfluxQueryClient } from '@citypulse/storage';

/**
 * A rollup statement reads a whole minute of a measurement's raw readings — millions of points on a
 * busy one, tens of seconds while InfluxDB is also taking writes. A request timing out would be
 * retried and read them all again, so these get far longer than the default 30 s.
 */
const ROLLUP_QUERY_TIMEOUT_MS = 10 * 60_000;

/** The client MinuteRollups and LateRollups run their statements with. */
export function rollupQueryClient(config: AppConfig): InfluxQueryClient {
  const { url, database, token } = config.influx;
  return new InfluxQueryClient({ url, database, token, timeoutMs: ROLLUP_QUERY_TIMEOUT_MS });
}
