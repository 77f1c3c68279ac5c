import { parseArgs } from 'node:util';
import { recordRun } from '../capture/record.js';
import { prepareRun, scheduledReadings } from '../simulation/simulation.js';
import { GENERATION_OPTIONS, UsageError } from './args.js';
import { showStepProgress } from './progress.js';
import { describeRun, simOptions } from './sim-options.js';

const MINUTE = 60_000;

/**
 * `sim record`: generates a run straight into a capture file on the simulated clock — no broker,
 * as fast as the CPU goes. Without --start the capture ends at the current minute, so it can be
 * replayed as a backfill right away (the broker takes timestamps up to 7 days old).
 */
export async function recordCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...GENERATION_OPTIONS, out: { type: 'string', short: 'o' } },
    strict: true,
  });
  if (!values.out) throw new UsageError('--out: the capture file to write, e.g. --out heatwave.ndjson.gz');
  const run = prepareRun(simOptions(values, (durationMs) => Math.floor((Date.now() - durationMs) / MINUTE) * MINUTE));
  console.log(describeRun(run));
  const started = performance.now();
  const total = scheduledReadings(run);
  let written = 0;
  const progress = showStepProgress('recording', total, () => ({
    done: written,
    detail: `${written}/${total} publishes`,
  }));
  const summary = await recordRun(run, values.out, () => written++).finally(() => progress.stop());
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `recorded    ${summary.lines} publishes (${(summary.uncompressedBytes / 1e6).toFixed(1)} MB uncompressed) ` +
      `to ${summary.path} in ${seconds.toFixed(1)} s (${Math.round(summary.lines / seconds)}/s)`,
  );
  console.log(`sha256      ${summary.sha256}`);
}
