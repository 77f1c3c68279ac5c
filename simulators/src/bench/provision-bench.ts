import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Cleanup } from './cleanup.js';
import { connectFleet, quantile, type FleetConnectResult } from './connect-fleet.js';
import { metricTotal, scrapeMetrics } from './metrics-scrape.js';
import { CpuWatch, pidListeningOn, readMemory } from './proc-stats.js';
import { parseProvisionOptions, provisionHelp, type ProvisionBenchOptions } from './provision-options.js';
import { deleteRedisPrefix } from './redis-cleanup.js';
import { compactTimestamp, gitInfo, machineInfo } from './run-context.js';
import { ServiceProcess } from './service-process.js';

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
const mib = (kb: number | undefined) => (kb === undefined ? undefined : Math.round((kb / 1024) * 10) / 10);

/** `npm run bench -- provision [options]`; resolves with the exit code. */
export async function runProvisionBench(argv: string[]): Promise<number> {
  let options: ProvisionBenchOptions | 'help';
  try {
    options = parseProvisionOptions(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${provisionHelp()}`);
    return 2;
  }
  if (options === 'help') {
    console.log(provisionHelp());
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

async function bench(options: ProvisionBenchOptions, cleanup: Cleanup): Promise<number> {
  const startedAt = new Date();
  const stamp = compactTimestamp(startedAt);
  const redisPrefix = `bench${stamp}prov`;
  const outDir = resolve(options.outDir);
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  if (!options.keep) cleanup.add('delete Redis keys', () => deleteRedisPrefix(options.redisUrl, redisPrefix));

  const token = randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    ...passedThroughEnv(),
    CP_REDIS_URL: options.redisUrl,
    CP_REDIS_PREFIX: redisPrefix,
    CP_INFLUX_URL: options.influxUrl,
    CP_INFLUX_DB: `bench_${stamp}_unused`,
    CP_LOG_LEVEL: 'warn',
    CP_API_TOKEN: token,
  };
  // One app per process, as in production: the broker's memory is then the broker's alone.
  const start = async (name: 'broker' | 'api') => {
    const service = await ServiceProcess.start({
      name,
      apps: name,
      entry: options.entry,
      env: { ...env, CP_APPS: name },
      nodeArgs: ['--enable-source-maps'],
      logFile: join(outDir, 'logs', `provision-${stamp}-${name}.log`),
    });
    cleanup.add(`stop ${name}`, () => service.stop());
    log(`${name} pid ${service.pid}${service.apiUrl ? `, API ${service.apiUrl}` : ''}${service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : ''}`);
    return service;
  };
  const broker = await start('broker');
  const api = await start('api');
  const rssIdle = readMemory(broker.pid);
  const heapIdle = await heapUsedMb(broker.metricsUrl, token);

  const devices = Array.from({ length: options.devices }, (_, i) => {
    const city = options.cities[i % options.cities.length];
    return { id: `bench-${String(i + 1).padStart(String(options.devices).length, '0')}`, type: options.type, city, site: `${city}-bench-${(i % 10) + 1}` };
  });
  const body =
    options.format === 'csv'
      ? ['id,type,city,site', ...devices.map((d) => `${d.id},${d.type},${d.city},${d.site}`)].join('\n') + '\n'
      : JSON.stringify(devices);
  log(`POST /devices/bulk: ${options.devices} devices as ${options.format} (${Math.round(body.length / 1024)} KiB)`);
  const cpuBulk = new CpuWatch({ api: api.pid, broker: broker.pid, redis: pidListeningOn(Number(new URL(options.redisUrl).port || 6379)) });
  cpuBulk.start();
  const bulkStart = performance.now();
  const response = await fetch(`${api.apiUrl}/devices/bulk`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': options.format === 'csv' ? 'text/csv' : 'application/json' },
    body,
    signal: AbortSignal.timeout(30 * 60_000),
  });
  const created = (await response.json()) as { created?: number; scrypt?: { N: number; r: number; p: number }; devices?: Array<{ id: string; secret: string }>; message?: string };
  const bulkMs = performance.now() - bulkStart;
  const bulkCpu = cpuBulk.stop();
  if (response.status !== 201 || !created.devices) throw new Error(`POST /devices/bulk: ${response.status} ${JSON.stringify(created).slice(0, 500)}`);
  log(`created ${created.created} devices in ${(bulkMs / 1000).toFixed(2)} s (scrypt N=${created.scrypt?.N})`);

  log(`connecting ${created.devices.length} devices, ${options.concurrency} CONNECTs in flight`);
  const cpuConnect = new CpuWatch({ broker: broker.pid, api: api.pid, bench: process.pid, redis: pidListeningOn(Number(new URL(options.redisUrl).port || 6379)) });
  cpuConnect.start();
  const first = await connectFleet(created.devices, { host: '127.0.0.1', port: broker.mqttPort!, concurrency: options.concurrency });
  const connectCpu = cpuConnect.stop();
  cleanup.add('close connections', () => Promise.all(first.connections.map((c) => c.close())));
  log(`${first.connections.length} connected in ${(first.wallMs / 1000).toFixed(2)} s${first.failures.length ? `, ${first.failures.length} failed: ${first.failures[0]}` : ''}`);
  const presenceMs = await waitForOnline(api.apiUrl!, token, first.connections.length);
  const rssConnected = readMemory(broker.pid);
  const heapConnected = await heapUsedMb(broker.metricsUrl, token);

  let second: FleetConnectResult | undefined;
  let rssReconnected: ReturnType<typeof readMemory>;
  let heapReconnected: number | undefined;
  if (options.reconnect) {
    await Promise.all(first.connections.map((c) => c.close()));
    cleanup.done('close connections');
    await waitForOnline(api.apiUrl!, token, 0);
    log('reconnecting every device (the broker has their secrets cached)');
    second = await connectFleet(created.devices, { host: '127.0.0.1', port: broker.mqttPort!, concurrency: options.concurrency });
    cleanup.add('close connections', () => Promise.all(second!.connections.map((c) => c.close())));
    await waitForOnline(api.apiUrl!, token, second.connections.length);
    rssReconnected = readMemory(broker.pid);
    heapReconnected = await heapUsedMb(broker.metricsUrl, token);
  }

  const report = {
    bench: 'provision',
    startedAt: startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: { devices: options.devices, concurrency: options.concurrency, format: options.format, type: options.type, cities: options.cities, bodyBytes: body.length, processes: ['broker', 'api'], redisPrefix },
    results: {
      bulk: { ms: Math.round(bulkMs), devicesPerSecond: Math.round(options.devices / (bulkMs / 1000)), scrypt: created.scrypt, cpuPercentOfCore: bulkCpu.perProcessPercentOfCore },
      connect: summary(first, connectCpu.perProcessPercentOfCore),
      presenceAllOnlineAfterLastConnackMs: presenceMs,
      reconnect: second ? summary(second) : undefined,
      brokerRssMb: {
        idle: mib(rssIdle?.vmRssKb),
        allConnected: mib(rssConnected?.vmRssKb),
        afterReconnect: mib(rssReconnected?.vmRssKb),
        peak: mib(readMemory(broker.pid)?.vmHwmKb),
        heapUsed: { idle: heapIdle, allConnected: heapConnected, afterReconnect: heapReconnected },
        perConnectionKb: rssIdle && rssConnected ? Math.round(((rssConnected.vmRssKb - rssIdle.vmRssKb) / Math.max(1, first.connections.length)) * 10) / 10 : undefined,
      },
    },
  };
  console.log(`\n${formatReport(report)}\n`);
  const file = resolve(join(outDir, `provision-${stamp}.json`));
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`report written to ${file}`);
  return first.failures.length === 0 && (second?.failures.length ?? 0) === 0 ? 0 : 1;
}

function summary(result: FleetConnectResult, cpu?: Record<string, number>) {
  return {
    connected: result.connections.length,
    failed: result.failures.length,
    firstFailure: result.failures[0],
    wallMs: Math.round(result.wallMs),
    perSecond: Math.round(result.connections.length / (result.wallMs / 1000)),
    connackMs: { p50: round(quantile(result.latenciesMs, 0.5)), p99: round(quantile(result.latenciesMs, 0.99)), max: round(quantile(result.latenciesMs, 1)) },
    ...(cpu ? { cpuPercentOfCore: cpu } : {}),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The process's V8 heap in use (prom-client's default metric), in MiB: tells retained objects from RSS the heap has not handed back. */
async function heapUsedMb(metricsUrl: string, token: string): Promise<number | undefined> {
  try {
    return Math.round((metricTotal(await scrapeMetrics([metricsUrl], token), 'nodejs_heap_size_used_bytes') / 2 ** 20) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** Polls GET /presence/counts until the online total is `expected`; ms it took (undefined on timeout). */
async function waitForOnline(apiUrl: string, token: string, expected: number, timeoutMs = 120_000): Promise<number | undefined> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutMs) {
    const counts = (await (await fetch(`${apiUrl}/presence/counts`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, { online: number }>;
    const online = Object.values(counts).reduce((sum, c) => sum + c.online, 0);
    if (online === expected) return Math.round(performance.now() - startedAt);
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`presence never reached ${expected} online within ${timeoutMs / 1000} s`);
  return undefined;
}

function formatReport(report: any): string {
  const r = report.results;
  const c = r.connect;
  const rows: Array<[string, string] | string> = [
    `citypulse provision bench — ${report.startedAt}, commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    `machine: ${report.machine.cores} cores (${report.machine.cpuModel}), node ${report.machine.node}`,
    `config: ${report.config.devices} × ${report.config.type} over ${report.config.cities.join(', ')}; bulk body ${report.config.format}, ${Math.round(report.config.bodyBytes / 1024)} KiB; ${report.config.concurrency} CONNECTs in flight; broker and API as separate processes`,
    '',
    ['bulk call (one POST /devices/bulk)', `${(r.bulk.ms / 1000).toFixed(2)} s = ${r.bulk.devicesPerSecond.toLocaleString('en-US')} devices/s  (scrypt N=${r.bulk.scrypt?.N}, r=${r.bulk.scrypt?.r}, p=${r.bulk.scrypt?.p})`],
    ['  CPU during it (% of one core)', cpuText(r.bulk.cpuPercentOfCore)],
    ['connect all (first time: scrypt verify)', `${(c.wallMs / 1000).toFixed(2)} s = ${c.perSecond.toLocaleString('en-US')} connections/s; ${c.connected} connected, ${c.failed} failed`],
    ['  CONNECT → CONNACK p50 / p99 / max', `${c.connackMs.p50} / ${c.connackMs.p99} / ${c.connackMs.max} ms`],
    ['  CPU during it (% of one core)', cpuText(c.cpuPercentOfCore)],
    ['presence: all online in /presence/counts', r.presenceAllOnlineAfterLastConnackMs === undefined ? 'NOT REACHED' : `${r.presenceAllOnlineAfterLastConnackMs} ms after the last CONNACK`],
  ];
  if (r.reconnect) {
    rows.push(['reconnect all (secrets cached)', `${(r.reconnect.wallMs / 1000).toFixed(2)} s = ${r.reconnect.perSecond.toLocaleString('en-US')} connections/s; ${r.reconnect.failed} failed`]);
    rows.push(['  CONNECT → CONNACK p50 / p99 / max', `${r.reconnect.connackMs.p50} / ${r.reconnect.connackMs.p99} / ${r.reconnect.connackMs.max} ms`]);
  }
  const m = r.brokerRssMb;
  rows.push('');
  rows.push(['broker RSS idle / all connected', `${m.idle} / ${m.allConnected} MiB  (≈ ${m.perConnectionKb} KiB per connection)`]);
  if (m.afterReconnect !== undefined) rows.push(['broker RSS after the reconnect pass', `${m.afterReconnect} MiB`]);
  rows.push(['broker RSS peak (VmHWM)', `${m.peak} MiB`]);
  rows.push(['broker V8 heap used idle / connected / after reconnect', `${m.heapUsed.idle} / ${m.heapUsed.allConnected} / ${m.heapUsed.afterReconnect ?? 'n/a'} MiB`]);
  const width = Math.max(...rows.filter((row): row is [string, string] => Array.isArray(row)).map(([label]) => label.length));
  return rows.map((row) => (Array.isArray(row) ? `  ${row[0].padEnd(width)}  ${row[1]}` : row)).join('\n');
}

function cpuText(cpu: Record<string, number>): string {
  const text = Object.entries(cpu).map(([k, v]) => `${k} ${v}%`).join(', ');
  return (cpu.others ?? 0) >= 20 ? `${text}   <<< other processes were busy: figures are noisy` : text;
}

/** Every CP_* of the environment except what the bench sets itself. */
function passedThroughEnv(): Record<string, string> {
  const owned = new Set(['CP_REDIS_URL', 'CP_REDIS_PREFIX', 'CP_INFLUX_URL', 'CP_INFLUX_DB', 'CP_API_TOKEN', 'CP_LOG_LEVEL', 'CP_MQTT_PORT', 'CP_HTTP_PORT', 'CP_HEALTH_PORT', 'CP_APPS']);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('CP_') && !key.startsWith('CP_STACK_') && !owned.has(key) && value !== undefined) env[key] = value;
  }
  return env;
}
