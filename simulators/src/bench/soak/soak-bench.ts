import { deviceTypes } from '@citypulse/devices';
import { log } from '../common/bench-log.js';
import { runBenchCommand } from '../common/bench-command.js';
import { startBenchRun } from '../common/bench-run.js';
import type { Cleanup } from '../common/cleanup.js';
import { waitForStored } from '../common/drain.js';
import { writeJsonReport } from '../common/json-report.js';
import { METER_FIELDS } from '../common/meter-readings.js';
import { connectMeterLoad } from '../common/meter-load.js';
import { CpuWatch, stackPids, type CpuUse } from '../common/proc-stats.js';
import { every } from '../common/periodic.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, provisionDevices } from '../common/provision.js';
import { gitInfo, machineInfo } from '../common/run-context.js';
import { serviceEnv } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { formatSampleHeader, formatSampleRow, formatSoakReport, soakVerdict, type SoakReport } from './soak-report.js';
import { parseSoakOptions, soakHelp, type SoakOptions } from './soak-options.js';
import { SoakSampler, type SoakSample } from './soak-sampler.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

/** `npm run bench -- soak [options]`; resolves with the exit code (1 when not flat or anything was lost). */
export function runSoakBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseSoakOptions, help: soakHelp, run: soak });
}

async function soak(options: SoakOptions, cleanup: Cleanup): Promise<number> {
  const run = await startBenchRun(
    { ...options, prefixSuffix: 'soak', databaseName: (stamp) => `bench_soak_${stamp}` },
    cleanup,
  );
  const env = serviceEnv({
    ...options,
    redisPrefix: run.redisPrefix,
    database: run.databaseName,
    token: run.token,
    passThrough: true,
  });
  const nodeArgs = [...PRODUCTION_NODE_ARGS];
  log(
    `starting citypulse as two processes (Redis prefix ${run.redisPrefix}, InfluxDB ` +
      `database ${run.databaseName}, logs in ${run.logDir})`,
  );
  const services = await startServices(
    { layout: 'split', entry: options.entry, env, nodeArgs, logDir: run.logDir, stamp: run.stamp },
    (service) => {
      cleanup.add(`stop ${service.name}`, () => service.stop());
      log(`${service.name} pid ${service.pid}`);
    },
  );
  const apiUrl = services.api.apiUrl!;
  const metricsUrls = services.all.map((s) => s.metricsUrl);

  log(`provisioning ${options.devices} ${BENCH_DEVICE_TYPE} devices`);
  const devices = await provisionDevices({
    apiUrl,
    token: run.token,
    count: options.devices,
    type: BENCH_DEVICE_TYPE,
    cities: BENCH_CITIES,
  });
  const generator = await connectMeterLoad(services.broker.mqttPort!, devices, {
    window: options.window,
    durationS: options.durationS,
    rate: options.rate,
    batch: 1,
    settleTimeoutMs: 60_000,
  });
  cleanup.add('close connections', () => generator.close());
  const sampler = new SoakSampler(options.redisUrl, run.redisPrefix, services.all, apiUrl, run.token);
  cleanup.add('close sampler', async () => sampler.close());

  log(
    `${devices.length} devices connected; ${options.rate.toLocaleString('en-US')} readings/s ` +
      `for ${(options.durationS / 60).toFixed(1)} min, a sample every ${options.sampleS} s`,
  );
  const cpu = new CpuWatch({
    ...Object.fromEntries(services.all.map((s) => [s.name, s.pid])),
    generator: process.pid,
    ...stackPids(options.redisUrl, options.influxUrl),
  });
  cpu.start();
  const samples: SoakSample[] = [];
  const startedAt = performance.now();
  const processNames = services.all.map((s) => s.name);
  let header = false;
  const takeSample = async () => {
    const sample = await sampler.sample((performance.now() - startedAt) / 1000, generator.progress().readingsAcked);
    samples.push(sample);
    const queueNames = Object.keys(samples[0].queueDepths);
    if (!header) console.log(formatSampleHeader(processNames, queueNames));
    header = true;
    console.log(formatSampleRow(sample, processNames, queueNames));
  };
  const sampling = every(options.sampleS * 1000, () =>
    takeSample().catch((err: Error) => log(`sample failed: ${err.message}`)),
  );
  let cpuUse: CpuUse = { perProcessPercentOfCore: {}, perProcessCpuMs: {}, windowS: 0, machineBusyPercent: 0 };
  const load = await generator.run(() => {
    void sampling.stop();
    cpuUse = cpu.stop();
  });
  await sampling.stop();
  await generator.close();
  cleanup.done('close connections');

  log(
    `published ${load.readingsPublished.toLocaleString('en-US')} ` +
      `readings, ${load.readingsAcked.toLocaleString('en-US')} PUBACKed; waiting for InfluxDB to have them all`,
  );
  const drain = await waitForStored(metricsUrls, run.token, load.readingsAcked, options.drainTimeoutS * 1000, 500);
  const stored = await run.database!.countPoints(deviceTypes[BENCH_DEVICE_TYPE].measurement, METER_FIELDS[0]);
  const lost = load.readingsAcked - stored;
  const verdict = soakVerdict(samples, lost);
  const { CP_API_TOKEN: _secret, ...envShown } = env;
  const report: SoakReport = {
    bench: 'soak',
    startedAt: run.startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: {
      ...options,
      processes: services.all.map((s) => ({ name: s.name, apps: s.apps })),
      redisPrefix: run.redisPrefix,
      influxDatabase: run.databaseName,
      serviceEnv: envShown,
      serviceNodeArgs: nodeArgs,
    },
    samples,
    results: {
      readingsPublished: load.readingsPublished,
      readingsAcked: load.readingsAcked,
      stored,
      lost,
      drained: drain.reachedAt !== undefined,
      drainS: drain.reachedAt === undefined ? undefined : Math.max(0, (drain.reachedAt - load.publishStoppedAt) / 1000),
      connectionsLost: load.connectionsLost,
      meanReadingsPerSecond: Math.round(load.readingsAcked / ((load.publishStoppedAt - load.firstPublishAt) / 1000)),
      ackLatencyMs: {
        p50: load.ackLatency.p50Us / 1000,
        p99: load.ackLatency.p99Us / 1000,
        max: load.ackLatency.maxUs / 1000,
      },
      cpuPercentOfCore: cpuUse.perProcessPercentOfCore,
      machineBusyPercent: cpuUse.machineBusyPercent,
    },
    verdict,
  };
  console.log(`\n${formatSoakReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('soak', report, run.outDir, run.stamp)}`);
  if (lost > 0) console.error(`\n!!! ${lost} PUBACKed readings are not in InfluxDB: acknowledged data was LOST !!!\n`);
  return verdict.ok ? 0 : 1;
}
