import cliProgress from 'cli-progress';
import { rejectedTotal, type SendStats } from '../send/send-stats.js';

export interface Progress {
  stop(): void;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Shows how far through simulated time a send is: a bar on a terminal, a line every 10 s
 * otherwise (CI logs). Reads the sender's live counters; owns nothing.
 */
export function showProgress(stats: SendStats, startMs: number, endMs: number): Progress {
  const totalS = Math.max(1, Math.round((endMs - startMs) / 1000));
  const fields = () => {
    const elapsedS = Math.max(0.001, (Date.now() - stats.startedAtMs) / 1000);
    return { acked: stats.acked, sent: stats.sent, rejected: rejectedTotal(stats), rate: Math.round(stats.acked / elapsedS), sim: stats.simTimeMs ? iso(stats.simTimeMs) : '—' };
  };
  const done = () => (stats.simTimeMs ? Math.min(totalS, Math.max(0, Math.round((stats.simTimeMs - startMs) / 1000))) : 0);
  if (!process.stderr.isTTY) {
    const timer = setInterval(() => {
      const f = fields();
      process.stderr.write(`sim ${f.sim}  sent ${f.sent}  acked ${f.acked}  rejected ${f.rejected}  ${f.rate}/s\n`);
    }, 10_000);
    return { stop: () => clearInterval(timer) };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | sim {sim} | sent {sent} | acked {acked} | rejected {rejected} | {rate}/s', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalS, 0, fields());
  const timer = setInterval(() => bar.update(done(), fields()), 200);
  return {
    stop: () => {
      clearInterval(timer);
      bar.update(done(), fields());
      bar.stop();
    },
  };
}
