import { parseArgs } from 'node:util';
import { readCaptureHeader } from '../capture/capture-reader.js';
import { replayCapture } from '../send/replay-capture.js';
import { formatSummary } from '../send/send-stats.js';
import { parseSpeed, TARGET_OPTIONS, UsageError } from './args.js';
import { assertDelivered } from './delivery.js';
import { showProgress, type Progress } from './progress.js';
import { assertTargetReachable, resolveTarget } from './target.js';

const DAY = 86_400_000;
/** The broker's defaults (CP_MAX_PAST_AGE_MS, CP_MAX_FUTURE_SKEW_MS); a deployment may differ. */
const MAX_PAST_AGE_MS = 7 * DAY;
const MAX_FUTURE_SKEW_MS = 300_000;

/** `sim replay <capture>`: sends a capture to a broker at 1×, N× or full speed, per device in order. */
export async function replayCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...TARGET_OPTIONS, timestamps: { type: 'string', default: 'keep' }, prefix: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [path] = positionals;
  if (!path) throw new UsageError('which capture? npm run sim -- replay <file.ndjson.gz>');
  const timestamps = values.timestamps;
  if (timestamps !== 'keep' && timestamps !== 'now')
    throw new UsageError(
      `--timestamps ${timestamps}: keep (backfill at the captured times) or now (shift to the present)`,
    );
  const speed = parseSpeed(values.speed);
  if (values.prefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/.test(values.prefix))
    throw new UsageError(`--prefix ${values.prefix}: 1-16 letters, digits, ".", "_" or "-"`);
  const header = await readCaptureHeader(path);
  // Renaming swaps the simulator's id prefix; tapped or stored devices have ids of their own.
  if (values.prefix !== undefined && header.source !== 'simulator')
    throw new UsageError(
      `--prefix: only a simulator capture's devices can be renamed; ${path} is ` +
        `from ${header.source === 'tap' ? 'a tap' : 'InfluxDB'}`,
    );
  const now = Date.now();
  if (timestamps === 'keep' && header.startMs < now - MAX_PAST_AGE_MS) {
    throw new UsageError(
      `the capture starts ${new Date(header.startMs).toISOString()}, older than the broker accepts (7 days by ` +
        `default): replay with --timestamps now`,
    );
  }
  if (timestamps === 'keep' && header.endMs > now + MAX_FUTURE_SKEW_MS)
    console.error(
      `  ! the capture runs into the future (${new Date(header.endMs).toISOString()}): those readings will be ` +
        `rejected as timestamp_in_future`,
    );
  console.log(
    `${path}: ${header.scenario}, seed ${header.seed}, ${header.devices.length} ` +
      `devices, ${new Date(header.startMs).toISOString()} … ${new Date(header.endMs).toISOString()}`,
  );
  const target = await resolveTarget(values, (line) => console.error(`  ! ${line}`));
  await assertTargetReachable(target);
  let progress: Progress | undefined;
  const result = await replayCapture(path, {
    ...target,
    speed,
    timestamps,
    idPrefix: values.prefix,
    onStart: (sender) => (progress = showProgress(sender.stats, { fromMs: header.startMs, toMs: header.endMs })),
  }).finally(() => progress?.stop());
  console.log(
    `devices     ${result.provision.reused} reused, ${result.provision.created} ` +
      `created, ${result.provision.replaced} replaced`,
  );
  if (result.shiftMs !== 0) console.log(`timestamps  shifted by ${(result.shiftMs / 1000).toFixed(0)} s`);
  if (result.session)
    console.log(
      `session     ${result.session.prefix}: deadman judged on the replayed clock, ended ` +
        `at ${new Date(result.session.endMs).toISOString()} (npm run sim -- cleanup ` +
        `--prefix ${result.session.prefix} removes its devices)`,
    );
  console.log(formatSummary(result.stats));
  if (header.expected.raises.length > 0) console.log(`expect      ${header.expected.raises.join(', ')}`);
  assertDelivered(result.stats, target.mqttUrl);
}
