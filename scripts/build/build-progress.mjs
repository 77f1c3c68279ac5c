import cliProgress from 'cli-progress';

/**
 * How far a build is. tsc reports no progress of its own, so on a terminal the bar runs against
 * the previous build's duration (and holds at 99 % if this one takes longer), naming the step;
 * elsewhere (CI logs, pipes) each step is one line. Everything goes to stderr: stdout belongs to
 * the command that asked for the build.
 */
export function buildProgress(estimateMs) {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
  if (!process.stderr.isTTY) {
    return {
      phase: (name) => process.stderr.write(`== building: ${name} (${seconds()} s)\n`),
      done: () => process.stderr.write(`== built in ${seconds()} s\n`),
      fail: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: '== building {bar} {percentage}% | {phase} | {elapsed} s of ~{estimate} s',
      hideCursor: true,
      stream: process.stderr,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase = 'starting';
  const fields = () => ({ phase, elapsed: seconds(), estimate: Math.round(estimateMs / 1000) });
  bar.start(100, 0, fields());
  const timer = setInterval(
    () => bar.update(Math.min(99, Math.floor(((Date.now() - started) / estimateMs) * 100)), fields()),
    250,
  );
  const stop = (value) => {
    clearInterval(timer);
    bar.update(value, fields());
    bar.stop();
  };
  return {
    phase: (name) => {
      phase = name;
      bar.update(fields());
    },
    done: () => {
      phase = 'done';
      stop(100);
    },
    fail: () => {
      phase = 'failed';
      stop(Math.min(99, Math.floor(((Date.now() - started) / estimateMs) * 100)));
    },
  };
}
