import { runBenchCommand } from '../common/bench-command.js';
import { log } from '../common/bench-log.js';
import { startBenchRun } from '../common/bench-run.js';
import type { Cleanup } from '../common/cleanup.js';
import { writeJsonReport } from '../common/json-report.js';
import { connectMeterLoad } from '../common/meter-load.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, provisionDevices } from '../common/provision.js';
import { gitInfo, machineInfo } from '../common/run-context.js';
import { serviceEnv } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { alertsHelp, parseAlertsOptions, type AlertsOptions } from './alerts-options.js';
import { BENCH_RULE_ID, THRESHOLD, benchRule, crossingOffsetsMs, flapReadings, flapSpanMs } from './alert-scenario.js';
import { AlertStream } from './alert-stream.js';
import { apiGet, apiSend } from '../common/api-get.js';
import { ScriptedDevice } from './scripted-device.js';
import { measureDeadmanScale } from './deadman-scale.js';
import { formatAlertsReport, quantile, type AlertsReport } from './alerts-report.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

const DEADMAN_INTERVAL_MS = 15_000;

/** `npm run bench -- alerts [options]`; resolves with the exit code (1 when alerts were missed or stormed). */
export function runAlertsBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseAlertsOptions, help: alertsHelp, run: bench });
}

async function bench(options: AlertsOptions, cleanup: Cleanup): Promise<number> {
  const run = await startBenchRun(
    { ...options, prefixSuffix: 'a', databaseName: (stamp) => `bench_alerts_${stamp}` },
    cleanup,
  );
  const { startedAt, stamp, redisPrefix, outDir, token } = run;
  const env: Record<string, string> = {
    // Like the ingest bench, the environment's other CP_* reach the service (e.g. CP_INGEST_RULE_FEED_MS), so
    // a setting's effect on alert latency can be measured; the deadman interval is the bench's own.
    ...serviceEnv({
      ...options,
      redisPrefix,
      database: run.databaseName,
      token,
      passThrough: true,
      alsoOwned: ['CP_ALERT_DEADMAN_INTERVAL_MS'],
    }),
    CP_ALERT_DEADMAN_INTERVAL_MS: String(DEADMAN_INTERVAL_MS),
  };
  const { CP_API_TOKEN: _secret, ...envShown } = env;
  log(`starting citypulse (Redis prefix ${redisPrefix})`);
  const services = await startServices(
    {
      layout: options.split ? 'split' : 'all-in-one',
      entry: options.entry,
      env,
      nodeArgs: [...PRODUCTION_NODE_ARGS],
      logDir: run.logDir,
      stamp,
    },
    (s) => cleanup.add(`stop ${s.name}`, () => s.stop()),
  );
  const apiUrl = services.api.apiUrl!;
  const mqttPort = services.broker.mqttPort!;
  await apiSend(apiUrl, token, 'POST', '/rules', benchRule);

  const total = options.devices + options.crossers + options.flappers;
  log(`provisioning ${total} ${BENCH_DEVICE_TYPE} devices`);
  const fleet = await provisionDevices({ apiUrl, token, count: total, type: BENCH_DEVICE_TYPE, cities: BENCH_CITIES });
  const [loadDevices, crossers, flappers] = [
    fleet.slice(0, options.devices),
    fleet.slice(options.devices, options.devices + options.crossers),
    fleet.slice(options.devices + options.crossers),
  ];
  const scripted = await Promise.all(
    [...crossers, ...flappers].map((d) => ScriptedDevice.connect('127.0.0.1', mqttPort, d)),
  );
  cleanup.add('close scripted devices', () => Promise.all(scripted.map((s) => s.close())));
  const generator = await connectMeterLoad(mqttPort, loadDevices, {
    window: 16,
    durationS: options.durationS,
    rate: options.rate,
    batch: 1,
    settleTimeoutMs: 30_000,
  });
  cleanup.add('close load', () => generator.close());
  const stream = await AlertStream.open(apiUrl, token);
  cleanup.add('close stream', async () => stream.close());
  await new Promise((r) => setTimeout(r, 300));

  log(
    `load: ${loadDevices.length} devices at ${options.rate || 'unlimited'} readings/s ` +
      `for ${options.durationS} s; ${crossers.length} crossings and ${flappers.length} flappers meanwhile`,
  );
  const crossedAt = new Map<string, number>();
  const crossing = crossingOffsetsMs(crossers.length, options.durationS * 1000, options.warmupS * 1000).map(
    (offset, i) =>
      new Promise<void>((done, fail) =>
        setTimeout(() => {
          const device = scripted[i];
          device.publish({ ts: Date.now(), values: { voltage: THRESHOLD + 5 } }).then((at) => {
            crossedAt.set(device.id, at);
            done();
          }, fail);
        }, offset),
      ),
  );
  const flapStart = Date.now() - flapSpanMs(options.flapMinutes, options.episodes) - 60_000;
  const flapsSent = scripted.slice(crossers.length).map(async (device) => {
    const readings = flapReadings(flapStart, options.flapMinutes, options.episodes);
    for (let i = 0; i < readings.length; i += 500) {
      await device.publish({
        readings: readings.slice(i, i + 500).map((r) => ({ ts: r.ts, values: { voltage: r.voltage } })),
      });
    }
  });
  // The rule-evaluation backlog during the load: a growing one would show in the latencies.
  let maxRuleBacklog = 0;
  const sampler = setInterval(() => {
    apiGet<{ depth: number }>(apiUrl, token, '/queues/rule-evaluation').then(
      (q) => (maxRuleBacklog = Math.max(maxRuleBacklog, q.depth)),
      () => undefined,
    );
  }, 500);
  const load = await generator.run();
  clearInterval(sampler);
  await Promise.all([...crossing, ...flapsSent]);

  log('waiting for every expected alert');
  const expectedFlaps = flappers.length * options.episodes;
  const deadline = Date.now() + options.timeoutS * 1000;
  const raisedFor = () =>
    apiGet<{ items: Array<{ deviceId: string }>; total: number }>(
      apiUrl,
      token,
      `/alerts?ruleId=${BENCH_RULE_ID}&limit=1000`,
    );
  let listed = await raisedFor();
  while (
    Date.now() < deadline &&
    (listed.total < crossers.length + expectedFlaps ||
      stream.raised(BENCH_RULE_ID).length < crossers.length + expectedFlaps)
  ) {
    await new Promise((r) => setTimeout(r, 250));
    listed = await raisedFor();
  }
  await new Promise((r) => setTimeout(r, 2000)); // anything raised twice would show up now
  listed = await raisedFor();

  const seen = stream.raised(BENCH_RULE_ID);
  const latencies = crossers
    .map((d) => {
      const arrived = seen.find((s) => s.deviceId === d.id)?.arrivedAt;
      const sent = crossedAt.get(d.id);
      return arrived !== undefined && sent !== undefined ? arrived - sent : undefined;
    })
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
  const crosserIds = new Set(crossers.map((d) => d.id));
  const perCrossing = crossers.map((d) => ({
    deviceId: d.id,
    sentAt: crossedAt.get(d.id),
    latencyMs: (seen.find((s) => s.deviceId === d.id)?.arrivedAt ?? Number.NaN) - (crossedAt.get(d.id) ?? Number.NaN),
  }));
  const report: AlertsReport = {
    bench: 'alerts',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: {
      ...options,
      deadmanIntervalMs: DEADMAN_INTERVAL_MS,
      service: services.all.map((s) => `${s.name} (${s.apps})`),
      serviceEnv: envShown,
    },
    results: {
      load: {
        readingsPublished: load.readingsPublished,
        readingsAcked: load.readingsAcked,
        publishPhaseReadingsPerSecond: load.readingsAcked / ((load.publishStoppedAt - load.firstPublishAt) / 1000),
        maxRuleEvaluationBacklogJobs: maxRuleBacklog,
      },
      crossings: {
        expected: crossers.length,
        raised: listed.items.filter((a) => crosserIds.has(a.deviceId)).length,
        latencyMs: {
          count: latencies.length,
          p50: quantile(latencies, 0.5),
          p99: quantile(latencies, 0.99),
          max: latencies[latencies.length - 1] ?? Number.NaN,
        },
        perCrossing: perCrossing.map((c) => ({
          deviceId: c.deviceId,
          msIntoLoad: (c.sentAt ?? Number.NaN) - load.firstPublishAt,
          latencyMs: c.latencyMs,
        })),
      },
      flapping: {
        devices: flappers.length,
        episodesEach: options.episodes,
        minutesPerEpisode: options.flapMinutes,
        readingsEach: flapReadings(0, options.flapMinutes, options.episodes).length,
        alertsPerDevice: flappers.map((f) => listed.items.filter((a) => a.deviceId === f.id).length),
        expectedPerDevice: options.episodes,
      },
    },
  };
  await generator.close();
  cleanup.done('close load');

  if (options.deadmanDevices > 0) {
    report.results.deadman = await measureDeadmanScale({
      redisUrl: options.redisUrl,
      prefix: redisPrefix,
      apiUrl,
      metricsUrls: services.all.map((s) => s.metricsUrl),
      token,
      count: options.deadmanDevices,
      intervalMs: DEADMAN_INTERVAL_MS,
      timeoutS: options.timeoutS + 60,
      log,
    });
  }
  console.log(`\n${formatAlertsReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('alerts', report, outDir, stamp)}`);
  const { crossings, flapping } = report.results;
  const deadmanOk = !report.results.deadman || report.results.deadman.allRaisedAfterS !== undefined;
  return crossings.expected === crossings.raised &&
    flapping.alertsPerDevice.every((n) => n === flapping.expectedPerDevice) &&
    deadmanOk
    ? 0
    : 1;
}
