import { QUEUES } from '@citypulse/contracts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log } from '../common/bench-log.js';
import { runBenchCommand } from '../common/bench-command.js';
import { startBenchRun } from '../common/bench-run.js';
import { Cleanup } from '../common/cleanup.js';
import { writeJsonReport } from '../common/json-report.js';
import { runMeasuredLoad } from '../common/measured-load.js';
import { scrapeMetrics } from '../common/metrics-scrape.js';
import { formatProfileSummary, readProfiles } from '../profile/profile-summary.js';
import { CpuWatch, pidListeningOn } from '../common/proc-stats.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, provisionDevices } from '../common/provision.js';
import { compactTimestamp, gitInfo, machineInfo } from '../common/run-context.js';
import { serviceEnv } from '../common/service-env.js';
import type { ServiceProcess } from '../common/service-process.js';
import { startServices } from '../common/services.js';
import {
  clusterMasters,
  commandDelta,
  readCommandCalls,
  singleNode,
  type CommandCalls,
  type RedisNode,
} from '../common/redis-stats.js';
import { roleOf, scaleLayout } from './scale-layout.js';
import {
  loadAt,
  mqttClusterAt,
  parseScaleOptions,
  scaleHelp,
  type RedisMode,
  type ScaleOptions,
} from './scale-options.js';
import { formatScaleReport, scaleVerdict, type ScaleReport, type ScaleResult } from './scale-report.js';
import { cpuCost, cpuMsByRole, round } from './cpu-cost.js';
import { measureAtRest, type AtRest } from './at-rest.js';
import { ContentionProbe } from './contention-probe.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

/** `npm run bench -- scale [options]`; resolves with the exit code (1 when a target is missed). */
export function runScaleBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseScaleOptions, help: scaleHelp, run: scale });
}

/** The rule-evaluation jobs still to run: the alerts role's share of a reading is done when these are 0. */
const OPEN_JOB_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized']);

async function scale(options: ScaleOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const results: ScaleResult[] = [];
  // Rounds outermost: every configuration once per round, so slow drift of the machine (other
  // users, thermal state, page cache) falls on each K alike instead of on whichever ran last.
  for (let round = 1; round <= options.repeat; round++) {
    for (const mode of options.modes) {
      const nodes = mode === 'single' ? singleNode(options.redisUrl) : await clusterMasters(options.clusterNodes);
      for (const k of options.ks) {
        const where = nodes.map((n) => `${n.host}:${n.port}`).join(', ');
        log(`== round ${round}/${options.repeat}: ${mode} Redis (${where}), K=${k}`);
        // Each configuration cleans up after itself (processes, database, keys) before the next starts.
        const own = new Cleanup();
        const step = `configuration ${mode} K=${k} round ${round}`;
        cleanup.add(step, () => own.runAll());
        try {
          results.push({ ...(await measureConfiguration(options, mode, nodes, k, own, round)), round });
        } finally {
          await own.runAll();
          cleanup.done(step);
        }
      }
    }
  }
  const report: ScaleReport = {
    bench: 'scale',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: {
      ...options,
      layout: 'api + K × (broker, ingest, alerts), one app per process',
      cpuWindow: 'first publish → stored = PUBACKed and the rule queue empty',
    },
    results,
    verdict: scaleVerdict(results, options.tolerancePercent),
  };
  console.log(`\n${formatScaleReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('scale', report, options.outDir, compactTimestamp(startedAt))}`);
  if (report.verdict.lost > 0)
    console.error(
      `\n!!! ${report.verdict.lost} PUBACKed readings are not in InfluxDB: acknowledged data was LOST !!!\n`,
    );
  return report.verdict.wholePathOk ? 0 : 1;
}

async function measureConfiguration(
  options: ScaleOptions,
  mode: RedisMode,
  nodes: RedisNode[],
  k: number,
  cleanup: Cleanup,
  roundNo: number,
): Promise<Omit<ScaleResult, 'round'>> {
  const run = await startBenchRun(
    {
      ...options,
      redisNodeUrls: nodes.map((n) => n.url),
      prefixSuffix: `scale${mode}k${k}r${roundNo}`,
      databaseName: (stamp) => `bench_scale_${stamp}_${mode}_k${k}_r${roundNo}`,
    },
    cleanup,
  );
  const env: Record<string, string> = {
    ...serviceEnv({
      ...options,
      redisPrefix: run.redisPrefix,
      database: run.databaseName,
      token: run.token,
      passThrough: true,
      alsoOwned: ['CP_APPS', 'CP_MQTT_CLUSTER', 'CP_REDIS_CLUSTER_NODES', 'CP_MQTT_REDIS_URL'],
    }),
    // One broker keeps its MQTT state to itself; several share it (subscriptions, sessions, routing) through Redis.
    CP_MQTT_CLUSTER: mqttClusterAt(options, k),
    ...(mode === 'cluster' ? { CP_REDIS_CLUSTER_NODES: nodes.map((n) => `${n.host}:${n.port}`).join(',') } : {}),
  };
  // On a cluster the brokers' MQTT state (topic tree, sessions) stays on one Redis (CP_MQTT_REDIS_URL,
  // else CP_REDIS_URL: --redis-url here), so its calls and CPU are counted too.
  const watchedNodes = mode === 'cluster' ? [...nodes, ...singleNode(options.redisUrl)] : nodes;
  const profilesDir = join(options.outDir, 'profiles');
  if (options.profile) mkdirSync(profilesDir, { recursive: true });
  const nodeArgs = [...PRODUCTION_NODE_ARGS, ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profilesDir] : [])];
  log(
    `starting api + ${k} × (broker, ingest, alerts) (Redis prefix ${run.redisPrefix}, InfluxDB ` +
      `database ${run.databaseName}, logs in ${run.logDir})`,
  );
  const services = await startServices(
    {
      layout: scaleLayout(k),
      entry: options.entry,
      env,
      nodeArgs,
      logDir: run.logDir,
      stamp: `${run.stamp}-${mode}-k${k}`,
    },
    (service) => {
      cleanup.add(`stop ${service.name}`, () => service.stop());
      log(`${service.name} pid ${service.pid}${service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : ''}`);
    },
  );
  const brokers = services.all.filter((s) => s.mqttPort);
  const apiUrl = services.api.apiUrl!;

  const { devices: deviceCount, rate } = loadAt(options, k);
  log(`provisioning ${deviceCount} ${BENCH_DEVICE_TYPE} devices`);
  const devices = await provisionDevices({
    apiUrl,
    token: run.token,
    count: deviceCount,
    type: BENCH_DEVICE_TYPE,
    cities: BENCH_CITIES,
  });
  const watched: Record<string, number | undefined> = Object.fromEntries(services.all.map((s) => [s.name, s.pid]));
  for (const node of watchedNodes) watched[`redis:${node.port}`] = pidListeningOn(node.port);
  watched.influxd = pidListeningOn(Number(new URL(options.influxUrl).port || 8086));
  watched.generator = process.pid;
  const cpu = new CpuWatch(watched);
  const probe = ContentionProbe.launch();
  cleanup.add('stop the contention probe', async () => probe.kill());
  let before: CommandCalls = new Map();
  let atRest: AtRest | undefined;
  let loadFromUs = 0;

  const loadOptions = {
    mqttPorts: brokers.map((b) => b.mqttPort!),
    devices,
    metricsUrls: services.all.map((s) => s.metricsUrl),
    token: run.token,
    database: run.database!,
    drainTimeoutS: options.drainTimeoutS,
    cleanup,
  };
  const load1 = { window: options.window, rate, batch: 1, settleTimeoutMs: 30_000 };
  // Each process's first readings pay one-time costs (lazy module loads such as fetch's on the first
  // InfluxDB write, JIT compilation), K times over at K processes: a primed run, not counted, keeps them out.
  let primed: { storedCounter: number; points: number } | undefined;
  if (options.primeS > 0) {
    log(`priming: ${options.primeS} s of the same load, not counted`);
    const prime = await runMeasuredLoad({ ...loadOptions, load: { ...load1, durationS: options.primeS, warmupS: 0 } });
    if (!(await waitForRuleQueueEmpty(apiUrl, run.token, options.drainTimeoutS * 1000)))
      log('the rule-evaluation queue did not empty after priming');
    primed = { storedCounter: prime.drain.stored, points: prime.stored };
  }
  const { load, drain, stored } = await runMeasuredLoad({
    ...loadOptions,
    load: { ...load1, durationS: options.durationS, warmupS: options.warmupS },
    before: primed,
    onPublishStart: async () => {
      atRest = await measureAtRest(watched, watchedNodes, options.idleS);
      before = await readCommandCalls(watchedNodes);
      loadFromUs = monotonicUs();
      cpu.start();
      probe.start();
    },
  });
  const rulesDrained = await waitForRuleQueueEmpty(apiUrl, run.token, options.drainTimeoutS * 1000);
  if (!rulesDrained) log(`the rule-evaluation queue did not empty within ${options.drainTimeoutS} s`);
  const cpuUse = cpu.stop();
  const probeUsPerUnit = await probe.stop();
  const profileWindow = { fromUs: loadFromUs, toUs: monotonicUs() };
  const commands = commandDelta(before, await readCommandCalls(watchedNodes));

  const readings = Math.max(1, load.readingsAcked);
  const rest = atRest!;
  const cost = cpuCost(
    { cpuMs: cpuMsByRole(cpuUse.perProcessCpuMs), windowS: cpuUse.windowS, readings },
    { cpuMs: cpuMsByRole(rest.cpuMs), windowS: rest.seconds },
  );
  const perReading = commands.total / readings;
  // A cluster mode whose services never used the cluster would report a Redis cost of ~0.
  if (perReading < 0.01)
    log(
      `WARNING: ${commands.total} Redis commands on ${nodes.map((n) => n.port).join(',')} for ${readings} ` +
        `readings — did the services use these nodes?`,
    );
  const profiles = options.profile
    ? await stopAndReadProfiles(services.all, profilesDir, profileWindow, cleanup)
    : undefined;
  const endToEndS = ((drain.reachedAt ?? Date.now()) - load.firstPublishAt) / 1000;
  const { CP_API_TOKEN: _secret, ...envShown } = env;
  return {
    k,
    redisMode: mode,
    processes: services.all.map((s) => ({ name: s.name, role: roleOf(s.name), apps: s.apps })),
    redisNodes: watchedNodes.map((n) => `${n.host}:${n.port}`),
    serviceEnv: envShown,
    devices: deviceCount,
    offeredRate: rate,
    readingsPublished: load.readingsPublished,
    readingsAcked: load.readingsAcked,
    stored,
    lost: load.readingsAcked - stored,
    drained: drain.reachedAt !== undefined,
    rulesDrained,
    connectionsLost: load.connectionsLost,
    endToEndS: round(endToEndS, 2),
    endToEndReadingsPerSecond: Math.round(stored / endToEndS),
    publishPhaseReadingsPerSecond: Math.round(
      load.readingsAcked / ((load.publishStoppedAt - load.firstPublishAt) / 1000),
    ),
    ackLatencyMs: { p50: load.ackLatency.p50Us / 1000, p99: load.ackLatency.p99Us / 1000 },
    windowS: round(cpuUse.windowS, 2),
    cpuMsByProcess: Object.fromEntries(
      Object.entries(cpuUse.perProcessCpuMs).map(([name, ms]) => [name, Math.round(ms)]),
    ),
    cpuUsPerReading: cost.gross,
    idle: {
      seconds: round(rest.seconds, 2),
      cpuUsPerS: cost.idleUsPerS,
      cpuMsByProcess: Object.fromEntries(Object.entries(rest.cpuMs).map(([name, ms]) => [name, Math.round(ms)])),
      redisCommandsPerS: round(rest.redisCommands / Math.max(0.001, rest.seconds), 1),
      redisByCommand: rest.redisByCommand,
    },
    netCpuUsPerReading: cost.net,
    redisCommands: { total: commands.total, perReading: round(perReading, 4), byCommand: commands.byCommand },
    pubsub: { messages: commands.pubsubMessages, perReading: round(commands.pubsubMessages / readings, 4) },
    machineBusyPercent: cpuUse.machineBusyPercent,
    othersPercentOfCore: cpuUse.perProcessPercentOfCore.others ?? 0,
    ...(probeUsPerUnit !== undefined ? { probeUsPerUnit: round(probeUsPerUnit, 2) } : {}),
    ...(profiles ? { profiles } : {}),
  };
}

/** The clock V8 stamps CPU profiles with, in µs. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** A profile is written as its process exits: stop them all, then summarise (the load window only) and print each. */
async function stopAndReadProfiles(
  services: ServiceProcess[],
  dir: string,
  window: { fromUs: number; toUs: number },
  cleanup: Cleanup,
): Promise<ReturnType<typeof readProfiles>> {
  for (const service of services) {
    await service.stop();
    cleanup.done(`stop ${service.name}`);
  }
  const profiles = readProfiles(dir, services, window);
  for (const profile of profiles ?? [])
    console.log(`${formatProfileSummary(profile.summary, `${profile.process}: ${profile.file}`)}\n`);
  return profiles;
}

/** Polls the api's /metrics until no rule-evaluation job waits or runs; false on timeout. */
async function waitForRuleQueueEmpty(apiUrl: string, token: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await scrapeMetrics([apiUrl], token);
    const open = samples.filter(
      (s) =>
        s.name === 'citypulse_queue_jobs' &&
        s.labels.queue === QUEUES.ruleEvaluation &&
        OPEN_JOB_STATES.has(s.labels.state),
    );
    // No sample at all: the gauge's read failed this scrape (it leaves the family empty); ask again.
    if (open.length > 0 && open.every((s) => s.value === 0)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
}
