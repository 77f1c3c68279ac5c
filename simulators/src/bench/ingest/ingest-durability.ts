import type { HandoffDurability } from '@citypulse/handoff';
import { join, resolve } from 'node:path';
import { log } from '../common/bench-log.js';
import { startBenchRun } from '../common/bench-run.js';
import { Cleanup } from '../common/cleanup.js';
import {
  compareWithEverysec,
  formatDurabilityReport,
  type DurabilityPass,
  type DurabilityReport,
} from './durability-report.js';
import { startLevelRedis } from './durability-redis.js';
import { meterLoadOf, type IngestOptions } from './ingest-options.js';
import { writeJsonReport } from '../common/json-report.js';
import { loadRates, runMeasuredLoad } from '../common/measured-load.js';
import { metricTotal, scrapeMetrics } from '../common/metrics-scrape.js';
import { CpuWatch, pidListeningOn, type CpuUse } from '../common/proc-stats.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, provisionDevices } from '../common/provision.js';
import { compactTimestamp, gitInfo, machineInfo } from '../common/run-context.js';
import { commandDelta, readCommandCalls, singleNode } from '../common/redis-stats.js';
import { serviceEnv } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

/**
 * `ingest --durability everysec,always,replica`: one pass per level, one after the other, each with
 * the same load against a fresh service whose CP_HANDOFF_DURABILITY is that level, on private
 * redis-servers set up for it (durability-redis.ts); then the table of readings/s, PUBACK latency
 * and lost per level, with ratios to `everysec`. Exit code 1 when a pass lost or did not drain.
 */
export async function runDurabilityComparison(options: IngestOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const passes: DurabilityPass[] = [];
  for (const level of options.durability) {
    log(`== CP_HANDOFF_DURABILITY=${level}`);
    // Each pass stops its service and servers and drops its database before the next starts.
    const own = new Cleanup();
    cleanup.add(`pass ${level}`, () => own.runAll());
    try {
      passes.push(await measureLevel(options, level, stamp, own));
    } finally {
      await own.runAll();
      cleanup.done(`pass ${level}`);
    }
  }
  const compared = compareWithEverysec(passes);
  const lost = passes.reduce((sum, p) => sum + Math.max(0, p.readingsAcked - p.stored), 0);
  // Without the options of the ordinary run that a comparison does not use (baselines, TLS, profile).
  const {
    outDir: _o,
    nodeArgs: _n,
    baselines: _b,
    baselineDurationS: _bd,
    baselineSubscriberQos: _bq,
    ceilingLines: _c,
    ceilingTrials: _ct,
    mosquitto: _m,
    tls: _t,
    profile: _p,
    ...config
  } = options;
  const report: DurabilityReport = {
    bench: 'ingest-durability',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: { ...config, serviceNodeArgs: [...PRODUCTION_NODE_ARGS] },
    passes: compared,
    lost,
  };
  console.log(`\n${formatDurabilityReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('ingest-durability', report, options.outDir, stamp)}`);
  if (lost > 0) console.error(`\n!!! ${lost} PUBACKed readings are not in InfluxDB: acknowledged data was LOST !!!\n`);
  return lost > 0 || passes.some((p) => !p.drained) ? 1 : 0;
}

async function measureLevel(
  options: IngestOptions,
  level: HandoffDurability,
  stamp: string,
  cleanup: Cleanup,
): Promise<DurabilityPass> {
  // Started before the run's own cleanup steps, so its keys are deleted before the servers stop.
  const redis = await startLevelRedis(
    {
      level,
      redis: options.durabilityRedis,
      dir: join(resolve(options.outDir), 'redis'),
      keep: options.keep,
      mqttRedisUrl: options.redisUrl,
    },
    cleanup,
  );
  log(`private Redis for ${level}: ${Object.keys(redis.servers).join(', ')}`);
  const keyNodes = [...new Set([...redis.masterUrls, redis.env.CP_REDIS_URL])];
  const run = await startBenchRun(
    {
      ...options,
      redisUrl: redis.env.CP_REDIS_URL,
      redisNodeUrls: keyNodes,
      prefixSuffix: level,
      databaseName: (s) => `bench_${s}_${level}`,
    },
    cleanup,
  );
  const env: Record<string, string> = {
    // The stack's Redis Cluster, or another MQTT Redis, from the environment would bypass the level's servers.
    ...serviceEnv({
      ...options,
      redisUrl: redis.env.CP_REDIS_URL,
      redisPrefix: run.redisPrefix,
      database: run.databaseName,
      token: run.token,
      passThrough: true,
      alsoOwned: ['CP_HANDOFF_DURABILITY', 'CP_REDIS_CLUSTER_NODES', 'CP_MQTT_REDIS_URL'],
      mqttCluster: options.mqttCluster,
    }),
    ...redis.env,
    CP_HANDOFF_DURABILITY: level,
  };
  const services = await startServices(
    {
      layout: options.split ? 'split' : 'all-in-one',
      entry: options.entry,
      env,
      nodeArgs: [...PRODUCTION_NODE_ARGS, ...options.nodeArgs],
      logDir: run.logDir,
      stamp: `${stamp}-${level}`,
    },
    (service) => {
      cleanup.add(`stop ${service.name}`, () => service.stop());
      log(`${service.name} pid ${service.pid}${service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : ''}`);
    },
  );
  const metricsUrls = services.all.map((s) => s.metricsUrl);
  const devices = await provisionDevices({
    apiUrl: services.api.apiUrl!,
    token: run.token,
    count: options.devices,
    type: BENCH_DEVICE_TYPE,
    cities: BENCH_CITIES,
  });
  const cpu = new CpuWatch({
    ...Object.fromEntries(services.all.map((s) => [s.name, s.pid])),
    ...Object.fromEntries(Object.entries(redis.servers).map(([name, s]) => [name, s.pid])),
    influxd: pidListeningOn(Number(new URL(options.influxUrl).port || 8086)),
    generator: process.pid,
  });
  let cpuUse: CpuUse = { perProcessPercentOfCore: {}, perProcessCpuMs: {}, windowS: 0, machineBusyPercent: 0 };
  const masters = redis.masterUrls.flatMap(singleNode);
  const callsBefore = await readCommandCalls(masters);
  const measured = await runMeasuredLoad({
    mqttPorts: [services.broker.mqttPort!],
    devices,
    load: meterLoadOf(options),
    metricsUrls,
    token: run.token,
    database: run.database!,
    drainTimeoutS: options.drainTimeoutS,
    cleanup,
    onPublishStart: () => cpu.start(),
    onPublishStop: () => (cpuUse = cpu.stop()),
  });
  const calls = commandDelta(callsBefore, await readCommandCalls(masters));
  const metrics = await scrapeMetrics(metricsUrls, run.token);
  const { load } = measured;
  const rates = loadRates(measured);
  const { CP_API_TOKEN: _secret, ...envShown } = env;
  return {
    level,
    redis: redis.servers,
    serviceEnv: envShown,
    readingsAckedPerS: Math.round(rates.readingsAckedPerS),
    endToEndPerS: Math.round(rates.endToEndPerS),
    lost: load.readingsAcked - measured.stored,
    readingsPublished: load.readingsPublished,
    readingsAcked: load.readingsAcked,
    stored: measured.stored,
    drained: measured.drain.reachedAt !== undefined,
    connectionsLost: load.connectionsLost,
    ackLatencyMs: {
      count: load.ackLatency.count,
      p50: load.ackLatency.p50Us / 1000,
      p99: load.ackLatency.p99Us / 1000,
      max: load.ackLatency.maxUs / 1000,
    },
    replicaTimeouts: metricTotal(metrics, 'citypulse_handoff_replica_timeouts_total'),
    waitCalls: calls.byCommand.wait ?? 0,
    redisCommandsPerReading: Math.round((calls.total / Math.max(1, load.readingsAcked)) * 1000) / 1000,
    cpuPercentOfCore: cpuUse.perProcessPercentOfCore,
    machineBusyPercent: cpuUse.machineBusyPercent,
  };
}
