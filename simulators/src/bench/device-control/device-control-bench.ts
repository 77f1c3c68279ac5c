import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeviceClient } from '@citypulse/device-client';
import { Cleanup } from '../common/cleanup.js';
import { quantile } from '../common/connect-fleet.js';
import { scrapeMetrics } from '../common/metrics-scrape.js';
import { readMemory } from '../common/proc-stats.js';
import { deleteRedisPrefix } from '../common/redis-cleanup.js';
import { compactTimestamp, gitInfo, machineInfo } from '../common/run-context.js';
import { ServiceProcess } from '../common/service-process.js';

const HELP = `usage: npm run bench -- device-control [options]

Starts the broker and the API as two child processes, bulk-provisions --devices env sensors,
connects each with the device-side client (DeviceClient), then:
  1. sends --commands commands (set-interval, round-robin over the devices, --concurrency POSTs
     in flight): POST → the device's handler runs ("delivery"), and the time until the broker has
     counted every ack (citypulse_command_transitions_total{status="succeeded"});
  2. sets the desired config of every device (PUT …/shadow/desired, same concurrency): PUT → the
     device's config handler runs.
Prints quantiles and rates and writes a JSON report. Asserts nothing.

  --devices <n>       devices (default 500)
  --commands <n>      commands to send (default 5000)
  --concurrency <n>   API requests in flight (default 32)
  --redis-url <url>   (default env CP_REDIS_URL or redis://127.0.0.1:16379)
  --influx-url <url>  only for the API's health check (default env CP_INFLUX_URL or http://127.0.0.1:18086)
  --out-dir <dir>     JSON report and logs (default .bench)
  --entry <file>      service entry (default dist/apps/citypulse/src/main.js)`;

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const round = (n: number) => Math.round(n * 10) / 10;
const quantiles = (values: number[]) => ({
  p50: round(quantile(values, 0.5)),
  p99: round(quantile(values, 0.99)),
  max: round(quantile(values, 1)),
});

/** `npm run bench -- device-control [options]`; resolves with the exit code. */
export async function runDeviceControlBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      devices: { type: 'string', default: '500' },
      commands: { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '32' },
      'redis-url': { type: 'string', default: process.env.CP_REDIS_URL ?? 'redis://127.0.0.1:16379' },
      'influx-url': { type: 'string', default: process.env.CP_INFLUX_URL ?? 'http://127.0.0.1:18086' },
      'out-dir': { type: 'string', default: '.bench' },
      entry: { type: 'string', default: 'dist/apps/citypulse/src/main.js' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const options = {
    devices: Number(values.devices),
    commands: Number(values.commands),
    concurrency: Number(values.concurrency),
  };
  if (![options.devices, options.commands, options.concurrency].every((n) => Number.isInteger(n) && n > 0)) {
    console.error(`--devices, --commands and --concurrency must be positive integers\n\n${HELP}`);
    return 2;
  }
  const cleanup = new Cleanup();
  try {
    return await bench(
      {
        ...options,
        redisUrl: values['redis-url'],
        influxUrl: values['influx-url'],
        outDir: resolve(values['out-dir']),
        entry: values.entry,
      },
      cleanup,
    );
  } finally {
    await cleanup.runAll();
  }
}

interface Options {
  devices: number;
  commands: number;
  concurrency: number;
  redisUrl: string;
  influxUrl: string;
  outDir: string;
  entry: string;
}

async function bench(options: Options, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const redisPrefix = `bench${stamp}ctl`;
  mkdirSync(join(options.outDir, 'logs'), { recursive: true });
  cleanup.add('delete Redis keys', () => deleteRedisPrefix(options.redisUrl, redisPrefix));
  const token = randomBytes(24).toString('base64url');
  const env = {
    CP_REDIS_URL: options.redisUrl,
    CP_REDIS_PREFIX: redisPrefix,
    CP_INFLUX_URL: options.influxUrl,
    CP_INFLUX_DB: `bench_${stamp}_unused`,
    CP_LOG_LEVEL: 'warn',
    CP_API_TOKEN: token,
  };
  const start = async (name: 'broker' | 'api') => {
    const service = await ServiceProcess.start({
      name,
      apps: name,
      entry: options.entry,
      env: { ...env, CP_APPS: name },
      nodeArgs: ['--enable-source-maps'],
      logFile: join(options.outDir, 'logs', `device-control-${stamp}-${name}.log`),
    });
    cleanup.add(`stop ${name}`, () => service.stop());
    return service;
  };
  const broker = await start('broker');
  const api = await start('api');
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${api.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const fleet = Array.from({ length: options.devices }, (_, i) => ({
    id: `ctl-${i + 1}`,
    type: 'env-sensor',
    city: 'beijing',
    site: `bj-ctl-${i % 10}`,
  }));
  const created = (await (await call('POST', '/devices/bulk', fleet)).json()) as {
    devices?: Array<{ id: string; secret: string }>;
  };
  if (!created.devices) throw new Error(`bulk provisioning failed: ${JSON.stringify(created).slice(0, 300)}`);
  log(`${created.devices.length} devices provisioned; connecting them with DeviceClient`);

  const commandSeenAt = new Map<string, number>();
  const configSeenAt = new Map<string, number>();
  const clients = created.devices.map(({ id, secret }) =>
    new DeviceClient({ url: `mqtt://127.0.0.1:${broker.mqttPort}`, deviceId: id, secret })
      .handleCommand('set-interval', (params, command) => {
        commandSeenAt.set(command.id, performance.now());
        return { interval_s: params.interval_s };
      })
      .onConfig((desired) => {
        configSeenAt.set(id, performance.now());
        return desired;
      }),
  );
  cleanup.add('close clients', () => Promise.all(clients.map((c) => c.close())));
  await inBatches(clients, 50, (c) => c.start());
  const rssConnected = readMemory(broker.pid)?.vmRssKb;

  log(`sending ${options.commands} commands, ${options.concurrency} POSTs in flight`);
  const sentAt = new Map<string, number>();
  const postMs: number[] = [];
  const commandsStart = performance.now();
  await inParallel(options.commands, options.concurrency, async (i) => {
    const at = performance.now();
    const response = await call('POST', `/devices/ctl-${(i % options.devices) + 1}/commands`, {
      name: 'set-interval',
      params: { interval_s: 10 + (i % 50) },
    });
    postMs.push(performance.now() - at);
    if (response.status !== 201) throw new Error(`POST command: ${response.status} ${await response.text()}`);
    sentAt.set(((await response.json()) as { id: string }).id, at);
  });
  const postedMs = performance.now() - commandsStart;
  const succeeded = async () =>
    (await scrapeMetrics([broker.metricsUrl], token))
      .filter((s) => s.name === 'citypulse_command_transitions_total' && s.labels.status === 'succeeded')
      .reduce((sum, s) => sum + s.value, 0);
  while ((await succeeded()) < options.commands && performance.now() - commandsStart < 300_000)
    await new Promise((r) => setTimeout(r, 100));
  const allAckedMs = performance.now() - commandsStart;
  const deliveryMs = [...sentAt].filter(([id]) => commandSeenAt.has(id)).map(([id, at]) => commandSeenAt.get(id)! - at);

  log(`setting the desired config of ${options.devices} devices`);
  const putAt = new Map<string, number>();
  await inParallel(options.devices, options.concurrency, async (i) => {
    const id = `ctl-${i + 1}`;
    putAt.set(id, performance.now());
    const response = await call('PUT', `/devices/${id}/shadow/desired`, {
      desired: { reporting_interval_s: 30, co2_alarm_ppm: 1200 },
    });
    if (response.status !== 200) throw new Error(`PUT desired: ${response.status} ${await response.text()}`);
  });
  const deadline = performance.now() + 60_000;
  while (configSeenAt.size < options.devices && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const configMs = [...putAt].filter(([id]) => configSeenAt.has(id)).map(([id, at]) => configSeenAt.get(id)! - at);

  const report = {
    bench: 'device-control',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: { ...options, processes: ['broker', 'api'], redisPrefix },
    results: {
      commands: {
        sent: options.commands,
        delivered: deliveryMs.length,
        acked: await succeeded(),
        postMs: quantiles(postMs),
        postToDeviceMs: quantiles(deliveryMs),
        allPostedS: round(postedMs / 1000),
        allAckedS: round(allAckedMs / 1000),
        perSecond: Math.round(options.commands / (allAckedMs / 1000)),
      },
      config: { devices: options.devices, received: configMs.length, putToDeviceMs: quantiles(configMs) },
      brokerRssMb: {
        connected: rssConnected && round(rssConnected / 1024),
        end: round((readMemory(broker.pid)?.vmRssKb ?? 0) / 1024),
      },
    },
  };
  const r = report.results;
  console.log(
    [
      '',
      `citypulse device-control bench — ${report.startedAt}, ` +
        `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}, ${options.devices} ` +
        `connected devices`,
      `  commands: ${r.commands.acked}/${r.commands.sent} succeeded in ${r.commands.allAckedS} s ` +
        `(${r.commands.perSecond}/s end to end, ${options.concurrency} POSTs in flight)`,
      `    POST → 201                p50 ${r.commands.postMs.p50} ms, p99 ${r.commands.postMs.p99} ms`,
      `    POST → device handler     p50 ${r.commands.postToDeviceMs.p50} ms, ` +
        `p99 ${r.commands.postToDeviceMs.p99} ms, max ${r.commands.postToDeviceMs.max} ms`,
      `  desired config: ${r.config.received}/${r.config.devices} devices; PUT → device handler ` +
        `p50 ${r.config.putToDeviceMs.p50} ms, p99 ${r.config.putToDeviceMs.p99} ms`,
      `  broker RSS: ${r.brokerRssMb.connected} MiB connected, ${r.brokerRssMb.end} MiB at the end`,
      '',
    ].join('\n'),
  );
  const file = join(options.outDir, `device-control-${stamp}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`report written to ${file}`);
  return r.commands.acked === options.commands && r.config.received === options.devices ? 0 : 1;
}

async function inParallel(count: number, concurrency: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await run(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}
