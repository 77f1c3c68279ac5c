import cliProgress from 'cli-progress';
import { rejectedTotal, type SendStats } from '../send/send-stats.js';

export interface Progress {
  stop(): void;
}

/** What a long step reports while it runs: how far (`done` of `total`) and a few words of detail. */
export interface StepStatus {
  done: number;
  detail: string;
}

/** Non-terminal output (CI logs, files) gets one line this often instead of a redrawn bar. */
const LINE_EVERY_MS = 10_000;
const REDRAW_EVERY_MS = 200;

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * A progress display for one long step, on stderr (stdout stays the command's output): a bar on a
 * terminal, a line every 10 s otherwise. `status` is polled, so the step only keeps counters.
 */
export function showStepProgress(label: string, total: number, status: () => StepStatus): Progress {
  if (!process.stderr.isTTY) {
    const timer = setInterval(() => {
      const s = status();
      process.stderr.write(
        `${label}: ${Math.floor((100 * Math.min(s.done, total)) / Math.max(1, total))}%  ${s.detail}\n`,
      );
    }, LINE_EVERY_MS);
    return { stop: () => clearInterval(timer) };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} {bar} {percentage}% | {detail}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const update = () => {
    const s = status();
    bar.update(Math.min(s.done, total), { detail: s.detail });
  };
  bar.start(Math.max(1, total), 0, { detail: '' });
  const timer = setInterval(update, REDRAW_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      update();
      bar.stop();
    },
  };
}

/**
 * How far a send is, read from the sender's live counters: by publishes done (acknowledged or
 * failed) out of `total` when the total is known up front (a live run), else by simulated time
 * reached within the capture's range (a replay: no pass over the file just to count it).
 */
export function showProgress(
  stats: SendStats,
  measure: { publishes: number } | { fromMs: number; toMs: number },
): Progress {
  const detail = () => {
    const elapsedS = Math.max(0.001, (Date.now() - stats.startedAtMs) / 1000);
    return (
      `sim ${stats.simTimeMs ? iso(stats.simTimeMs) : '—'} | acked ${stats.acked} | failed ${stats.failed} | ` +
      `rejected ${rejectedTotal(stats)} | ${Math.round(stats.acked / elapsedS)}/s`
    );
  };
  if ('publishes' in measure) {
    // A scenario's dropped readings are never sent: the total is at most what is scheduled.
    return showStepProgress('sending', measure.publishes, () => ({
      done: stats.acked + stats.failed,
      detail: `${stats.acked + stats.failed}/${measure.publishes} | ${detail()}`,
    }));
  }
  const span = Math.max(1, measure.toMs - measure.fromMs);
  return showStepProgress('sending', span, () => ({
    done: stats.simTimeMs ? stats.simTimeMs - measure.fromMs : 0,
    detail: detail(),
  }));
}
