import type { Logger, Metrics } from '@citypulse/observability';

/** Fill levels at which the operator is told, once per crossing, that the hand-off backlog grows. */
const LEVELS = [0.5, 0.8, 1] as const;

/**
 * Watches the hand-off backlog (readings accepted but not yet in InfluxDB) against its limit:
 * a gauge for dashboards, and a warning each time it crosses 50 %, 80 % and 100 % — at 100 %
 * PUBACKs are being held back, so devices slow down instead of anything being dropped.
 */
export function watchBacklog(limit: number, metrics: Metrics, logger: Logger): (backlog: number) => void {
  let level = 0;
  return (backlog) => {
    metrics.handoffBacklog.set(backlog);
    const fill = backlog / limit;
    const reached = LEVELS.filter((l) => fill >= l).length;
    if (reached > level) {
      logger.warn(
        { backlog, limit, fill: Math.round(fill * 100) / 100 },
        reached === LEVELS.length
          ? 'hand-off backlog full: holding PUBACKs until ingest catches up (is InfluxDB down?)'
          : 'hand-off backlog growing: ingest is behind (is InfluxDB slow or down?)',
      );
    } else if (reached < level && reached === 0) {
      logger.info({ backlog, limit }, 'hand-off backlog drained below 50 %');
    }
    level = reached;
  };
}
