import { parseArgs } from 'node:util';
import { runLive } from '../send/live-run.js';
import { liveStartMs } from '../send/pace.js';
import { formatSummary } from '../send/send-stats.js';
import { prepareRun, scheduledReadings } from '../simulation/simulation.js';
import { GENERATION_OPTIONS, parseSpeed, TARGET_OPTIONS } from './args.js';
import { assertDelivered } from './delivery.js';
import { showProgress, type Progress } from './progress.js';
import { repoPath } from './repo-path.js';
import { describeRun, simOptions } from './sim-options.js';
import { assertTargetReachable, resolveTarget } from './target.js';

/** `sim run`: simulate a fleet against a running citypulse, on the simulated clock. */
export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { ...GENERATION_OPTIONS, ...TARGET_OPTIONS, record: { type: 'string' } },
    strict: true,
  });
  const speed = parseSpeed(values.speed);
  // Without --start the run ends as it is sent: live at 1×, a backfill of the last `duration` at max.
  const run = prepareRun(simOptions(values, (durationMs) => liveStartMs(Date.now(), durationMs, speed)));
  console.log(describeRun(run));
  const target = await resolveTarget(values, (line) => console.error(`  ! ${line}`));
  await assertTargetReachable(target);
  console.log(
    `provisioning through ${target.apiUrl} (secrets in the local credentials file), then sending ` +
      `to ${target.mqttUrl} at ${Number.isFinite(speed) ? `${speed}×` : 'full speed'} …`,
  );
  let progress: Progress | undefined;
  const result = await runLive(run, {
    ...target,
    speed,
    recordPath: values.record,
    onStart: (sender) => (progress = showProgress(sender.stats, { publishes: scheduledReadings(run) })),
  }).finally(() => progress?.stop());
  console.log(
    `devices     ${result.provision.reused} reused, ${result.provision.created} ` +
      `created, ${result.provision.replaced} replaced`,
  );
  console.log(formatSummary(result.stats));
  assertDelivered(result.stats, target.mqttUrl);
  if (result.capture)
    console.log(
      `recorded    ${result.capture.lines} publishes to ${result.capture.path} (sha256 ${result.capture.sha256})`,
    );
  console.log(
    `alerts      curl -s -H "Authorization: Bearer $(cat ${repoPath('.stack/api-token')})" ` +
      `'${target.apiUrl}/alerts?limit=50'`,
  );
}
