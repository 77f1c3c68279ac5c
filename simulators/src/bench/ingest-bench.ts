import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deviceTopic } from '@citypulse/contracts';
import { deviceTypes } from '@citypulse/devices';
import { Cleanup } from './cleanup.js';
import { waitForStored } from './drain.js';
import { measureInfluxCeiling } from './influx-ceiling.js';
import { BenchDatabase } from './influx-count.js';
import { ingestHelp, parseIngestOptions, type IngestOptions } from './ingest-options.js';
import { buildIngestReport, BENCH_CITIES, BENCH_DEVICE_TYPE, readProfiles } from './ingest-results.js';
import { LoadGenerator } from './load-generator.js';
import { metricTotal, scrapeMetrics } from './metrics-scrape.js';
import { METER_FIELDS } from './meter-readings.js';
import { measureMosquitto } from './mosquitto-baseline.js';
import { CpuWatch, pidListeningOn } from './proc-stats.js';
import { formatProfileSummary } from './profile-summary.js';
import { provisionDevices } from './provision.js';
import { deleteRedisPrefix } from './redis-cleanup.js';
import { formatTable, writeJsonReport, type IngestReport } from './report.js';
import { compactTimestamp } from './run-context.js';
import { startServices } from './services.js';

/** The variables the bench sets itself; every other CP_* in the environment reaches the service. */
const BENCH_OWNED = new Set(['CP_REDIS_URL', 'CP_REDIS_PREFIX', 'CP_INFLUX_URL', 'CP_INFLUX_DB', 'CP_API_TOKEN', 'CP_LOG_LEVEL', 'CP_MQTT_PORT', 'CP_HTTP_PORT', 'CP_HEALTH_PORT']);

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** `npm run bench -- ingest [options]`; resolves with the exit code. */
export async function runIngestBench(argv: string[]): Promise<number> {
  let options: IngestOptions | 'help';
  try {
    options = parseIngestOptions(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${ingestHelp()}`);
    return 2;
  }
  if (options === 'help') {
    console.log(ingestHelp());
    return 0;
  }
  const cleanup = new Cleanup();
  const interrupted = () => {
    log('interrupted: stopping what the bench started');
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await bench(options, cleanup);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanup.runAll();
  }
}

async function bench(options: IngestOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const redisPrefix = `bench${stamp}`;
  const outDir = resolve(options.outDir);
  const profilesDir = join(outDir, 'profiles');
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  if (options.profile) mkdirSync(profilesDir, { recursive: true });

  const database = new BenchDatabase(options.influxUrl, `bench_${stamp}`);
  await database.create();
  if (!options.keep) cleanup.add('drop database', () => database.drop());
  // Added before the services start so that, run last-in first-out, it runs after they stopped.
  if (!options.keep) cleanup.add('delete Redis keys', () => deleteRedisPrefix(options.redisUrl, redisPrefix));

  const token = randomBytes(24).toString('base64url');
  const serviceEnv: Record<string, string> = {
    ...passedThroughEnv(),
    CP_REDIS_URL: options.redisUrl,
    CP_REDIS_PREFIX: redisPrefix,
    CP_INFLUX_URL: options.influxUrl,
    CP_INFLUX_DB: database.name,
    CP_LOG_LEVEL: 'warn',
    CP_API_TOKEN: token,
  };
  // The service's production flags, as in scripts/start.sh and docker-compose.yml.
  const nodeArgs = ['--enable-source-maps', '--max-semi-space-size=64', ...options.nodeArgs, ...(options.profile ? ['--cpu-prof', '--cpu-prof-dir', profilesDir] : [])];
  log(`starting citypulse${options.split ? ' as two processes' : ''} (Redis prefix ${redisPrefix}, InfluxDB database ${database.name}, logs in ${join(outDir, 'logs')})`);
  const services = await startServices({ split: options.split, entry: options.entry, env: serviceEnv, nodeArgs, logDir: join(outDir, 'logs'), stamp }, (service) => {
    cleanup.add(`stop ${service.name}`, () => service.stop());
    log(`${service.name} pid ${service.pid}${service.apiUrl ? `, API ${service.apiUrl}` : ''}${service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : ''}`);
  });
  const metricsUrls = services.all.map((s) => s.metricsUrl);

  log(`provisioning ${options.devices} ${BENCH_DEVICE_TYPE} devices`);
  const devices = await provisionDevices({ apiUrl: services.front.apiUrl!, token, count: options.devices, type: BENCH_DEVICE_TYPE, cities: BENCH_CITIES });
  const generator = await LoadGenerator.connect({
    host: '127.0.0.1',
    port: services.front.mqttPort!,
    publishers: devices.map((d, i) => ({ clientId: d.id, username: d.id, password: d.secret, topic: deviceTopic(d.id, 'telemetry'), seed: i + 1 })),
    window: options.window,
    durationMs: options.durationS * 1000,
    rate: options.rate,
    batch: options.batch,
    settleTimeoutMs: 30_000,
  });
  cleanup.add('close connections', () => generator.close());

  log(`${devices.length} devices connected; publishing for ${options.durationS} s${options.rate > 0 ? ` at ${options.rate} readings/s` : ''}`);
  const cpu = new CpuWatch({
    ...Object.fromEntries(services.all.map((s) => [s.name, s.pid])),
    generator: process.pid,
    redis: pidListeningOn(Number(new URL(options.redisUrl).port || 6379)),
    influxd: pidListeningOn(Number(new URL(options.influxUrl).port || 8086)),
  });
  for (const service of services.all) service.startRssSampling();
  cpu.start();
  let cpuUse: ReturnType<CpuWatch['stop']> = { perProcessPercentOfCore: {}, machineBusyPercent: 0 };
  let storedAtStop: Promise<number | undefined> = Promise.resolve(undefined);
  const load = await generator.run(() => {
    cpuUse = cpu.stop();
    storedAtStop = scrapeMetrics(metricsUrls, token).then(
      (s) => metricTotal(s, 'citypulse_readings_stored_total'),
      () => undefined,
    );
  });
  await generator.close();
  cleanup.done('close connections');

  log(`published ${load.readingsPublished} readings, ${load.readingsAcked} PUBACKed; waiting for InfluxDB to have them all`);
  const drain = await waitForStored(metricsUrls, token, load.readingsAcked, options.drainTimeoutS * 1000);
  if (drain.reachedAt === undefined) log(`NOT DRAINED after ${options.drainTimeoutS} s: the service reports ${drain.stored} of ${load.readingsAcked} stored`);
  const stored = await database.countPoints(deviceTypes[BENCH_DEVICE_TYPE].measurement, METER_FIELDS[0]);
  const finalMetrics = await scrapeMetrics(metricsUrls, token);
  const rss = Object.fromEntries(services.all.map((s) => [s.name, s.rss()]));

  // A profile is written as its process exits, so stop them before looking for the files.
  for (const service of services.all) {
    await service.stop();
    cleanup.done(`stop ${service.name}`);
  }
  const profiles = options.profile ? readProfiles(profilesDir, services.all) : undefined;

  const baselines = options.baselines ? await runBaselines(options, stamp, outDir) : undefined;

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
    rss,
    baselines,
    profiles,
  });
  console.log(`\n${formatTable(report)}\n`);
  for (const profile of report.profiles ?? []) console.log(`${formatProfileSummary(profile.summary, `${profile.process}: ${profile.file}`)}\n`);
  const file = writeJsonReport(report, outDir, stamp);
  console.log(`report written to ${file}`);

  if (report.results.lost > 0) {
    console.error(`\n!!! ${report.results.lost} PUBACKed readings are not in InfluxDB: acknowledged data was LOST !!!\n`);
    return 1;
  }
  return drain.reachedAt === undefined ? 1 : 0;
}

function passedThroughEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('CP_') && !key.startsWith('CP_STACK_') && !BENCH_OWNED.has(key) && value !== undefined) env[key] = value;
  }
  return env;
}

async function runBaselines(options: IngestOptions, stamp: string, outDir: string): Promise<NonNullable<IngestReport['baselines']>> {
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
    log(`baseline: InfluxDB write ceiling, ${options.ceilingLines} lines`);
    // The ingest worker's default batch size and concurrency (CP_INGEST_MAX_BATCH_LINES, CP_INGEST_CONCURRENCY).
    baselines.influxCeiling = await measureInfluxCeiling({ influxUrl: options.influxUrl, database: `bench_${stamp}_ceiling`, lines: options.ceilingLines, batchSize: 5000, concurrency: 2 });
  } catch (err) {
    baselines.errors.push(`InfluxDB ceiling: ${(err as Error).message}`);
  }
  return baselines;
}
