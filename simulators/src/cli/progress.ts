import cliProgress from 'cli-progress';
import { rejectedTotal, type SendStats } from '../send/send-stats.js';

export interface Progress {
  stop(): void;
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * Shows how far a send is: publishes done (acknowledged or failed) out of `total`, with the
 * simulated time reached. A bar on a terminal, a line every 10 s otherwise (CI logs). Reads the
 * sender's live counters; owns nothing.
 */
export function showProgress(stats: SendStats, total: number): Progress {
  const fields = () => {
    const elapsedS = Math.max(0.001, (Date.now() - stats.startedAtMs) / 1000);
    return { acked: stats.acked, rejected: rejectedTotal(stats), rate: Math.round(stats.acked / elapsedS), sim: stats.simTimeMs ? iso(stats.simTimeMs) : '—' };
  };
  const done = () => Math.min(total, stats.acked + stats.failed);
  if (!process.stderr.isTTY) {
    const timer = setInterval(() => {
      const f = fields();
      process.stderr.write(`${done()}/${total} done  sim ${f.sim}  acked ${f.acked}  rejected ${f.rejected}  ${f.rate}/s\n`);
    }, 10_000);
    return { stop: () => clearInterval(timer) };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {value}/{total} | sim {sim} | acked {acked} | rejected {rejected} | {rate}/s', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, total), 0, fields());
  const timer = setInterval(() => bar.update(done(), fields()), 200);
  return {
    stop: () => {
      clearInterval(timer);
      // A scenario's dropped readings are never sent: the run is complete at what was sent.
      bar.setTotal(Math.max(1, stats.acked + stats.failed));
      bar.update(done(), fields());
      bar.stop();
    },
  };
}
