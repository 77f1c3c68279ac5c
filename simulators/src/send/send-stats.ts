/** What a send (live run or replay) did, as the summary prints it. */
export interface SendStats {
  /** Publishes handed to the broker. */
  sent: number;
  /** Publishes the broker acknowledged (PUBACK). */
  acked: number;
  /** Publishes that failed (connection lost and never acknowledged). */
  failed: number;
  /** Rejection entries on the devices' error topics, by reason. */
  rejectedByReason: Record<string, number>;
  /** Deliberate reconnects (reconnect storms). */
  reconnects: number;
  /** Simulated time of the newest publish sent. */
  simTimeMs: number;
  startedAtMs: number;
  finishedAtMs?: number;
}

export function newStats(nowMs: number): SendStats {
  return { sent: 0, acked: 0, failed: 0, rejectedByReason: {}, reconnects: 0, simTimeMs: 0, startedAtMs: nowMs };
}

export function rejectedTotal(stats: SendStats): number {
  return Object.values(stats.rejectedByReason).reduce((a, b) => a + b, 0);
}

/** The summary a run or replay ends with. */
export function formatSummary(stats: SendStats): string {
  const seconds = ((stats.finishedAtMs ?? Date.now()) - stats.startedAtMs) / 1000;
  const reasons = Object.entries(stats.rejectedByReason).sort((a, b) => b[1] - a[1]);
  const lines = [
    `sent        ${stats.sent} publishes in ${seconds.toFixed(1)} s ` +
      `(${Math.round(stats.sent / Math.max(seconds, 0.001))}/s)`,
    `acked       ${stats.acked}${stats.failed > 0 ? `   failed ${stats.failed}` : ''}`,
    `rejected ` +
      `   ${rejectedTotal(stats)}${reasons.length > 0 ? `   ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')}` : ''}`,
  ];
  if (stats.reconnects > 0) lines.push(`reconnects  ${stats.reconnects}`);
  return lines.join('\n');
}
