import type { SendStats } from '../send/send-stats.js';
import { CliError } from './cli-errors.js';

/**
 * A run or replay that had publishes to send and got none acknowledged failed, whatever the
 * reason: it exits non-zero so a script (or CI) notices. Partial delivery is reported by the
 * summary and still exits 0.
 */
export function assertDelivered(stats: SendStats, mqttUrl: string): void {
  if (stats.acked === 0 && stats.sent + stats.failed > 0) {
    throw new CliError(
      `nothing was delivered to ${mqttUrl}: ${stats.failed} publishes failed (the first errors are above)`,
    );
  }
}
