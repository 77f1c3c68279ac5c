import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runBenchCommand } from '../common/bench-command.js';
import { log } from '../common/bench-log.js';
import { startBenchRun } from '../common/bench-run.js';
import type { Cleanup } from '../common/cleanup.js';
import { measureInfluxCeiling } from './influx-ceiling.js';
import { ingestHelp, meterLoadOf, parseIngestOptions, type IngestOptions } from './ingest-options.js';
import { buildIngestReport } from './ingest-results.js';
import { writeJsonReport } from '../common/json-report.js';
import { runMeasuredLoad } from '../common/measured-load.js';
import { metricTotal, scrapeMetrics } from '../common/metrics-scrape.js';
import { measureMosquitto } from './mosquitto-baseline.js';
import { CpuWatch, stackPids, type CpuUse } from '../common/proc-stats.js';
import { formatProfileSummary, readProfiles } from '../profile/profile-summary.js';
import { formatStepTables } from '../profile/profile-steps.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, provisionDevices, type BenchDevice } from '../common/provision.js';
import { measurePlainBridge } from './plain-bridge.js';
import { formatTable, type IngestReport } from './report.js';
import { serviceEnv as serviceEnvFor } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { prepareBenchTls } from '../common/bench-tls.js';
import { runTlsPass } from './ingest-tls-pass.js';
import { runDurabilityComparison } from './ingest-durability.js';
import { runRounds, type IngestPass } from './ingest-rounds.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

/** `npm run bench -- ingest [options]`; resolves with the exit code. */
export function runIngestBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseIngestOptions, help: ingestHelp, run: bench });
}

async function bench(options: IngestOptions, cleanup: Cleanup): Promise<number> {
  if (options.durability.length > 0) return runDurabilityComparison(options, cleanup);
  if (options.repeat > 1) return runRounds(options, cleanup, ingestPass);
  return (await ingestPass(options, cleanup)).code;
}

/** Ours, then the baselines beside it: one report, and the exit code (1 when a PUBACKed reading was lost). */
const ingestPass: IngestPass = async (options, cleanup) => {
  const run = await startBenchRun({ ...options, prefixSuffix: '', databaseName: (stamp) => `bench_${stamp}` }, cleanup);
  const { startedAt, stamp, redisPrefix, outDir, token } = run;
  const database = run.database!;
  const profilesDir = join(outDir, 'profiles');
  if (options.profile) mkdirSync(profilesDir, { recursive: true });
  const tls = options.tls ? await prepareBenchTls(cleanup) : undefined;
  const serviceEnv = {
    ...serviceEnvFor({ ...options, redisPrefix, database: database.name, token, passThrough: true }),
    ...tls?.env,
  };
  // The service's production flags (the plain bridge runs with them too).
  const productionNodeArgs = [...PRODUCTION_NODE_ARGS, ...options.nodeArgs];
  const nodeArgs = [...productionNodeArgs, ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profilesDir] : [])];
  log(
    `starting citypulse${options.split ? ' as two processes' : ''} (Redis prefix ${redisPrefix}, InfluxDB ` +
      `database ${database.name}, logs in ${run.logDir})`,
  );
  const services = await startServices(
    {
      layout: options.split ? 'split' : 'all-in-one',
      entry: options.entry,
      env: serviceEnv,
      nodeArgs,
      logDir: run.logDir,
      stamp,
    },
    (service) => {
      cleanup.add(`stop ${service.name}`, () => service.stop());
      const api = service.apiUrl ? `, API ${service.apiUrl}` : '';
      const mqtt = service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : '';
      log(`${service.name} pid ${service.pid}${api}${mqtt}`);
    },
  );
  const metricsUrls = services.all.map((s) => s.metricsUrl);

  log(`provisioning ${options.devices} ${BENCH_DEVICE_TYPE} devices`);
  const devices = await provisionDevices({
    apiUrl: services.api.apiUrl!,
    token,
    count: options.devices,
    type: BENCH_DEVICE_TYPE,
    cities: BENCH_CITIES,
  });
  const watched = {
    ...Object.fromEntries(services.all.map((s) => [s.name, s.pid])),
    generator: process.pid,
    ...stackPids(options.redisUrl, options.influxUrl),
  };
  const cpu = new CpuWatch(watched);
  // Until the drain is seen, as the plain bridge's CPU per reading is taken.
  const cpuToStored = new CpuWatch(watched);
  let cpuUse: CpuUse = { perProcessPercentOfCore: {}, perProcessCpuMs: {}, windowS: 0, machineBusyPercent: 0 };
  let storedAtStop: Promise<number | undefined> = Promise.resolve(undefined);
  let publishStartUs = monotonicUs();
  const { load, drain, stored } = await runMeasuredLoad({
    mqttPorts: [services.broker.mqttPort!],
    devices,
    load: meterLoadOf(options),
    metricsUrls,
    token,
    database,
    drainTimeoutS: options.drainTimeoutS,
    cleanup,
    onPublishStart: () => {
      for (const service of services.all) service.startRssSampling();
      cpu.start();
      cpuToStored.start();
      publishStartUs = monotonicUs();
    },
    onPublishStop: () => {
      cpuUse = cpu.stop();
      storedAtStop = scrapeMetrics(metricsUrls, token).then(
        (s) => metricTotal(s, 'citypulse_readings_stored_total'),
        () => undefined,
      );
    },
  });
  const cpuUseToStored = cpuToStored.stop();
  // The profiles' window, in their clock (the monotonic one): first publish → the drain was seen.
  const profileWindow = {
    fromUs: publishStartUs,
    toUs: monotonicUs() - (Date.now() - (drain.reachedAt ?? Date.now())) * 1000,
  };
  const tlsPass = tls
    ? await runTlsPass({
        options,
        tls,
        devices,
        tcp: { load, drain, stored },
        tcpPort: services.broker.mqttPort!,
        brokerPid: services.broker.pid,
        metricsUrls,
        token,
        database,
        cleanup,
      })
    : undefined;
  const finalMetrics = await scrapeMetrics(metricsUrls, token);
  const rss = Object.fromEntries(services.all.map((s) => [s.name, s.rss()]));

  // A profile is written as its process exits, so stop them before looking for the files.
  for (const service of services.all) {
    await service.stop();
    cleanup.done(`stop ${service.name}`);
  }
  const profiles = options.profile ? readProfiles(profilesDir, services.all, profileWindow, stored) : undefined;

  const baselines = options.baselines
    ? await runBaselines(options, { stamp, outDir, devices, nodeArgs: productionNodeArgs })
    : undefined;

  const report = buildIngestReport({
    options,
    startedAt,
    redisPrefix,
    database: database.name,
    serviceEnv,
    processes: services.all.map((s) => ({ name: s.name, apps: s.apps })),
    nodeArgs,
    load,
    stored,
    drain,
    finalMetrics,
    storedAtStop: await storedAtStop,
    cpuUse,
    cpuToStored: cpuUseToStored,
    rss,
    baselines,
    profiles,
  });
  console.log(`\n${formatTable(report)}\n`);
  for (const profile of report.profiles ?? [])
    console.log(`${formatProfileSummary(profile.summary, `${profile.process}: ${profile.file}`)}\n`);
  const stepTables = (report.profiles ?? []).flatMap((p) => (p.steps ? [{ process: p.process, steps: p.steps }] : []));
  if (stepTables.length > 0) console.log(`${formatStepTables(stepTables)}\n`);
  const file = writeJsonReport('ingest', report, outDir, stamp);
  console.log(`report written to ${file}`);
  if (tlsPass) console.log(`TLS report written to ${writeJsonReport('ingest-tls', tlsPass, outDir, stamp)}`);

  if (tlsPass && tlsPass.tls.lost > 0) {
    console.error(
      `\n!!! ${tlsPass.tls.lost} readings PUBACKed over TLS are not in InfluxDB: acknowledged data was LOST !!!\n`,
    );
    return { code: 1, report, file };
  }
  if (report.results.lost > 0) {
    console.error(
      `\n!!! ${report.results.lost} PUBACKed readings are not in InfluxDB: acknowledged data was LOST !!!\n`,
    );
    return { code: 1, report, file };
  }
  return { code: drain.reachedAt === undefined ? 1 : 0, report, file };
};

async function runBaselines(
  options: IngestOptions,
  run: { stamp: string; outDir: string; devices: readonly BenchDevice[]; nodeArgs: string[] },
): Promise<NonNullable<IngestReport['baselines']>> {
  const { stamp, outDir } = run;
  const baselines: NonNullable<IngestReport['baselines']> = { errors: [] };
  try {
    log(`baseline: Mosquitto forwarding, ${options.devices} publishers, ${options.baselineDurationS} s`);
    baselines.mosquitto = await measureMosquitto({
      binary: options.mosquitto,
      workDir: join(outDir, `mosquitto-${stamp}`),
      devices: options.devices,
      window: options.window,
      batch: options.batch,
      durationMs: options.baselineDurationS * 1000,
      subscriberQos: options.baselineSubscriberQos,
    });
  } catch (err) {
    baselines.errors.push(`Mosquitto: ${(err as Error).message}`);
  }
  try {
    log(`baseline: InfluxDB write ceiling, best of ${options.ceilingTrials} trials of ${options.ceilingLines} lines`);
    // The ingest worker's default batch size and concurrency (CP_INGEST_MAX_BATCH_LINES, CP_INGEST_CONCURRENCY).
    baselines.influxCeiling = await measureInfluxCeiling({
      influxUrl: options.influxUrl,
      database: `bench_${stamp}_ceiling`,
      lines: options.ceilingLines,
      trials: options.ceilingTrials,
      batchSize: 5000,
      concurrency: 2,
    });
  } catch (err) {
    baselines.errors.push(`InfluxDB ceiling: ${(err as Error).message}`);
  }
  try {
    log(
      `baseline: plain bridge (Mosquitto → one Node subscriber → InfluxDB), our ${options.devices} devices, ` +
        `${options.durationS} s`,
    );
    baselines.plainBridge = await measurePlainBridge({
      mosquitto: options.mosquitto,
      workDir: join(outDir, `plain-bridge-${stamp}`),
      devices: run.devices,
      load: meterLoadOf(options),
      subscriberQos: options.baselineSubscriberQos,
      influxUrl: options.influxUrl,
      database: `bench_${stamp}_bridge`,
      drainTimeoutS: options.drainTimeoutS,
      nodeArgs: run.nodeArgs,
    });
  } catch (err) {
    baselines.errors.push(`plain bridge: ${(err as Error).message}`);
  }
  return baselines;
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
