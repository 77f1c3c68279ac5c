import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  STACK_OPTIONS,
  optionLines,
  readOptions,
  type OptionSpec,
  type StackOptions,
} from '../common/bench-options.js';
import { Cleanup } from '../common/cleanup.js';
import { connectFleet, quantile } from '../common/connect-fleet.js';
import { CommandAnsweringFleet } from './jobs-fleet.js';
import { readMemory } from '../common/proc-stats.js';
import { deleteRedisPrefix } from '../common/redis-cleanup.js';
import { compactTimestamp, gitInfo, machineInfo } from '../common/run-context.js';
import { ServiceProcess } from '../common/service-process.js';

const JOBS_OPTIONS = {
  devices: { type: 'string', default: '10000', help: 'devices' },
  initial: { type: 'string', default: '100', help: 'first step' },
  rate: { type: 'string', default: '60000', help: 'devices per minute after the first step' },
  abort: { type: 'string', default: '10', help: 'abort threshold (%)' },
  'fail-every': { type: 'string', default: '0', help: 'every n-th device fails its command (0: none)' },
  'tick-ms': { type: 'string', default: '1000', help: 'CP_JOBS_TICK_MS' },
  'max-batch': { type: 'string', default: '500', help: 'CP_JOBS_MAX_BATCH' },
  'poll-hz': { type: 'string', default: '10', help: 'GET /jobs/:id per second while it runs' },
  concurrency: { type: 'string', default: '200', help: 'CONNECTs in flight' },
  ...STACK_OPTIONS,
} as const satisfies Record<string, OptionSpec>;

const HELP = [
  'usage: npm run bench -- jobs [options]',
  '',
  'Starts the broker, the API and the alerts worker (which runs fleet jobs) as three child processes,',
  'bulk-provisions --devices env sensors, connects each on its own raw MQTT connection (answering',
  'every command at once; --fail-every n makes every n-th device fail), then creates one fleet job',
  '(reboot) over all of them and follows it to its end while polling GET /jobs/:id (--poll-hz a',
  'second, one at a time), timing each. Prints time to complete, per-state counts (which must add up',
  'to --devices), GET latency p50/p99, and writes a JSON report. Asserts nothing.',
  '',
  ...optionLines(JOBS_OPTIONS, 20),
].join('\n');

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const round = (n: number) => Math.round(n * 10) / 10;
const quantiles = (values: number[]) => ({
  p50: round(quantile(values, 0.5)),
  p99: round(quantile(values, 0.99)),
  max: round(quantile(values, 1)),
  n: values.length,
});

interface Options extends StackOptions {
  devices: number;
  initial: number;
  rate: number;
  abort: number;
  failEvery: number;
  tickMs: number;
  maxBatch: number;
  pollHz: number;
  concurrency: number;
}

/** `npm run bench -- jobs [options]`; resolves with the exit code. */
export async function runJobsBench(argv: string[]): Promise<number> {
  const read = readOptions(argv, JOBS_OPTIONS);
  if (read === 'help') {
    console.log(HELP);
    return 0;
  }
  const numbers = {
    devices: read.int('devices', 1),
    initial: read.int('initial', 1),
    rate: read.int('rate', 1),
    abort: read.int('abort', 0, 100),
    failEvery: read.int('fail-every', 0),
    tickMs: read.int('tick-ms', 20),
    maxBatch: read.int('max-batch', 1),
    pollHz: read.int('poll-hz', 1),
    concurrency: read.int('concurrency', 1),
  };
  try {
    read.done();
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const stack = read.stack();
  const cleanup = new Cleanup();
  try {
    return await bench({ ...numbers, ...stack, outDir: resolve(stack.outDir) }, cleanup);
  } finally {
    await cleanup.runAll();
  }
}

async function bench(options: Options, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const redisPrefix = `bench${stamp}job`;
  mkdirSync(join(options.outDir, 'logs'), { recursive: true });
  if (!options.keep) cleanup.add('delete Redis keys', () => deleteRedisPrefix(options.redisUrl, redisPrefix));
  const token = randomBytes(24).toString('base64url');
  const env = {
    CP_REDIS_URL: options.redisUrl,
    CP_REDIS_PREFIX: redisPrefix,
    CP_INFLUX_URL: options.influxUrl,
    CP_INFLUX_DB: `bench_${stamp}_unused`,
    CP_LOG_LEVEL: 'warn',
    CP_API_TOKEN: token,
    CP_JOBS_TICK_MS: String(options.tickMs),
    CP_JOBS_MAX_BATCH: String(options.maxBatch),
  };
  const start = async (name: 'broker' | 'api' | 'alerts') => {
    const service = await ServiceProcess.start({
      name,
      apps: name,
      entry: options.entry,
      env: { ...env, CP_APPS: name },
      nodeArgs: ['--enable-source-maps'],
      logFile: join(options.outDir, 'logs', `jobs-${stamp}-${name}.log`),
    });
    cleanup.add(`stop ${name}`, () => service.stop());
    return service;
  };
  const broker = await start('broker');
  const api = await start('api');
  const alerts = await start('alerts');
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
  };

  const rows = Array.from({ length: options.devices }, (_, i) => ({
    id: `job-${String(i + 1).padStart(6, '0')}`,
    type: 'env-sensor',
    city: 'bench',
    site: `bench-site-${i % 20}`,
  }));
  const created = await call('POST', '/devices/bulk', rows);
  if (created.status !== 201)
    throw new Error(`bulk provisioning failed: ${created.status} ${JSON.stringify(created.body).slice(0, 300)}`);
  const devices = (created.body as { devices: Array<{ id: string; secret: string }> }).devices;
  log(`${devices.length} devices provisioned; connecting them (${options.concurrency} CONNECTs in flight)`);
  const connected = await connectFleet(devices, {
    host: '127.0.0.1',
    port: broker.mqttPort!,
    concurrency: options.concurrency,
  });
  cleanup.add('close connections', () => Promise.all(connected.connections.map((c) => c.close())));
  if (connected.failures.length > 0) log(`${connected.failures.length} connections failed: ${connected.failures[0]}`);
  const failing = new Set(
    options.failEvery > 0 ? devices.filter((_, i) => (i + 1) % options.failEvery === 0).map((d) => d.id) : [],
  );
  const fleet = new CommandAnsweringFleet(connected.connections, (id) => failing.has(id));
  await fleet.subscribe();
  const online = await waitForOnline(call, connected.connections.length);
  log(
    `${connected.connections.length} connected and subscribed in ${round(connected.wallMs / 1000)} s; ${online} online`,
  );

  const brokerRssBefore = readMemory(broker.pid)?.vmRssKb;
  const job = await call('POST', '/jobs', {
    name: 'bench reboot',
    kind: 'command',
    command: { name: 'reboot' },
    selection: { city: 'bench' },
    rollout: { initialCount: options.initial, ratePerMinute: options.rate },
    abortFailurePercent: options.abort,
    deviceTimeoutS: 120,
  });
  if (job.status !== 201) throw new Error(`POST /jobs: ${job.status} ${JSON.stringify(job.body).slice(0, 300)}`);
  const jobStarted = performance.now();
  const jobId = (job.body as JobView).id;
  log(`job ${jobId} over ${(job.body as JobView).total} devices: ${options.initial} first, then ${options.rate}/min`);

  const getMs: number[] = [];
  let last = job.body as JobView;
  const pollEvery = 1000 / options.pollHz;
  let lastLog = 0;
  const settled = (j: typeof last) =>
    !['running', 'paused'].includes(j.state) && j.counts.dispatching + j.counts['in-progress'] + j.counts.waiting === 0;
  while (!settled(last) && performance.now() - jobStarted < 30 * 60_000) {
    const at = performance.now();
    const response = await call('GET', `/jobs/${jobId}`);
    getMs.push(performance.now() - at);
    if (response.status === 200) last = response.body as JobView;
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(
        `${last.state}: ${Object.entries(last.counts)
          .filter(([, n]) => n)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}`,
      );
    }
    const wait = pollEvery - (performance.now() - at);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const completeMs = performance.now() - jobStarted;
  const counts = last.counts;
  const sum = Object.values(counts).reduce((a, b) => a + b, 0);
  const report = {
    bench: 'jobs',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: { ...options, processes: ['broker', 'api', 'alerts'], redisPrefix },
    results: {
      job: {
        id: last.id,
        state: last.state,
        reason: last.reason,
        total: last.total,
        counts,
        countsSum: sum,
        countsAddUp: sum === options.devices,
      },
      timeToCompleteS: round(completeMs / 1000),
      devicesPerSecond: Math.round(options.devices / (completeMs / 1000)),
      serverSideS: round((Date.parse(last.updatedAt) - Date.parse(last.createdAt)) / 1000),
      getJobMs: quantiles(getMs),
      devices: {
        connected: connected.connections.length,
        reached: fleet.devicesReached,
        withDuplicateCommands: fleet.devicesWithDuplicates,
        failing: failing.size,
      },
      rssMb: {
        broker: {
          before: brokerRssBefore && round(brokerRssBefore / 1024),
          end: round((readMemory(broker.pid)?.vmRssKb ?? 0) / 1024),
        },
        alerts: round((readMemory(alerts.pid)?.vmRssKb ?? 0) / 1024),
        api: round((readMemory(api.pid)?.vmRssKb ?? 0) / 1024),
      },
    },
  };
  const r = report.results;
  console.log(
    [
      '',
      `citypulse jobs bench — ${report.startedAt}, ` +
        `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}, ${options.devices} ` +
        `devices`,
      `  job ${r.job.state}${r.job.reason ? ` (${r.job.reason})` : ''} in ${r.timeToCompleteS} s ` +
        `(${r.devicesPerSecond} devices/s; ${options.initial} first, then ${options.rate}/min, ` +
        `tick ${options.tickMs} ms, batch ${options.maxBatch})`,
      `  per state: ${Object.entries(counts)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')} — sum ${sum}${r.job.countsAddUp ? '' : ` (NOT ${options.devices})`}`,
      `  devices reached ${r.devices.reached}, with a duplicate command ${r.devices.withDuplicateCommands}`,
      `  GET /jobs/:id while running: p50 ${r.getJobMs.p50} ms, p99 ${r.getJobMs.p99} ms, ` +
        `max ${r.getJobMs.max} ms (${r.getJobMs.n} requests)`,
      `  RSS: broker ${r.rssMb.broker.before} → ${r.rssMb.broker.end} MiB, alerts ${r.rssMb.alerts} MiB, ` +
        `api ${r.rssMb.api} MiB`,
      '',
    ].join('\n'),
  );
  const file = join(options.outDir, `jobs-${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`report written to ${file}`);
  return r.job.countsAddUp && settled(last) ? 0 : 1;
}

/** The parts of a job (POST /jobs, GET /jobs/:id) the bench reads. */
interface JobView {
  id: string;
  state: string;
  reason?: string;
  total: number;
  counts: Record<string, number>;
  createdAt: string;
  updatedAt: string;
}

async function waitForOnline(
  call: (method: string, path: string) => Promise<{ body: unknown }>,
  expected: number,
  timeoutMs = 120_000,
): Promise<number> {
  const startedAt = performance.now();
  let online = 0;
  while (performance.now() - startedAt < timeoutMs) {
    const counts = (await call('GET', '/presence/counts')).body as Record<string, { online: number }>;
    online = Object.values(counts).reduce((sum, c) => sum + c.online, 0);
    if (online >= expected) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return online;
}
