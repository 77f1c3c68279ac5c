import { runBenchCommand } from '../common/bench-command.js';
import { log } from '../common/bench-log.js';
import { startBenchRun } from '../common/bench-run.js';
import type { Cleanup } from '../common/cleanup.js';
import { connectFleet, quantile, type FleetConnectResult } from '../common/connect-fleet.js';
import { writeJsonReport } from '../common/json-report.js';
import { metricTotal, scrapeMetrics } from '../common/metrics-scrape.js';
import { CpuWatch, readMemory, stackPids } from '../common/proc-stats.js';
import { parseProvisionOptions, provisionHelp, type ProvisionBenchOptions } from './provision-options.js';
import { bulkProvision, bulkRows } from '../common/provision.js';
import { gitInfo, machineInfo } from '../common/run-context.js';
import { serviceEnv } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { cpuText, formatRows, mib, type Row } from '../common/text-table.js';

/** `npm run bench -- provision [options]`; resolves with the exit code. */
export function runProvisionBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseProvisionOptions, help: provisionHelp, run: bench });
}

async function bench(options: ProvisionBenchOptions, cleanup: Cleanup): Promise<number> {
  const run = await startBenchRun({ ...options, prefixSuffix: 'prov' }, cleanup);
  const { startedAt, stamp, redisPrefix, outDir, token } = run;
  const env = serviceEnv({
    ...options,
    redisPrefix,
    database: run.databaseName,
    token,
    passThrough: true,
    alsoOwned: ['CP_APPS'],
  });
  // One app per process, as in production: the broker's memory is then the broker's alone.
  const { broker, api } = await startServices(
    {
      layout: [
        { name: 'broker', apps: 'broker' },
        { name: 'api', apps: 'api' },
      ],
      entry: options.entry,
      env,
      nodeArgs: ['--enable-source-maps'],
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
  const rssIdle = readMemory(broker.pid);
  const heapIdle = await heapUsedMb(broker.metricsUrl, token);

  const rows = bulkRows(options.devices, options.type, options.cities);
  log(`POST /devices/bulk: ${options.devices} devices as ${options.format}`);
  const cpuBulk = new CpuWatch({ api: api.pid, broker: broker.pid, ...stackPids(options.redisUrl) });
  cpuBulk.start();
  const created = await bulkProvision(api.apiUrl!, token, rows, options.format);
  const bulkMs = created.ms;
  const bulkCpu = cpuBulk.stop();
  log(
    `created ${created.created} devices in ${(bulkMs / 1000).toFixed(2)} s (scrypt N=${created.scrypt?.N}, ` +
      `body ${Math.round(created.bodyBytes / 1024)} KiB)`,
  );

  log(`connecting ${created.devices.length} devices, ${options.concurrency} CONNECTs in flight`);
  const cpuConnect = new CpuWatch({
    broker: broker.pid,
    api: api.pid,
    bench: process.pid,
    ...stackPids(options.redisUrl),
  });
  cpuConnect.start();
  const first = await connectFleet(created.devices, {
    host: '127.0.0.1',
    port: broker.mqttPort!,
    concurrency: options.concurrency,
  });
  const connectCpu = cpuConnect.stop();
  cleanup.add('close connections', () => Promise.all(first.connections.map((c) => c.close())));
  log(
    `${first.connections.length} connected in ${(first.wallMs / 1000).toFixed(2)} ` +
      `s${first.failures.length ? `, ${first.failures.length} failed: ${first.failures[0]}` : ''}`,
  );
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
    second = await connectFleet(created.devices, {
      host: '127.0.0.1',
      port: broker.mqttPort!,
      concurrency: options.concurrency,
    });
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
    config: {
      devices: options.devices,
      concurrency: options.concurrency,
      format: options.format,
      type: options.type,
      cities: options.cities,
      bodyBytes: created.bodyBytes,
      processes: ['broker', 'api'],
      redisPrefix,
    },
    results: {
      bulk: {
        ms: Math.round(bulkMs),
        devicesPerSecond: Math.round(options.devices / (bulkMs / 1000)),
        scrypt: created.scrypt,
        cpuPercentOfCore: bulkCpu.perProcessPercentOfCore,
      },
      connect: summary(first, connectCpu.perProcessPercentOfCore),
      presenceAllOnlineAfterLastConnackMs: presenceMs,
      reconnect: second ? summary(second) : undefined,
      brokerRssMb: {
        idle: mib(rssIdle?.vmRssKb),
        allConnected: mib(rssConnected?.vmRssKb),
        afterReconnect: mib(rssReconnected?.vmRssKb),
        peak: mib(readMemory(broker.pid)?.vmHwmKb),
        heapUsed: { idle: heapIdle, allConnected: heapConnected, afterReconnect: heapReconnected },
        perConnectionKb:
          rssIdle && rssConnected
            ? Math.round(((rssConnected.vmRssKb - rssIdle.vmRssKb) / Math.max(1, first.connections.length)) * 10) / 10
            : undefined,
      },
    },
  };
  console.log(`\n${formatReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('provision', report, outDir, stamp)}`);
  return first.failures.length === 0 && (second?.failures.length ?? 0) === 0 ? 0 : 1;
}

function summary(result: FleetConnectResult, cpu?: Record<string, number>) {
  return {
    connected: result.connections.length,
    failed: result.failures.length,
    firstFailure: result.failures[0],
    wallMs: Math.round(result.wallMs),
    perSecond: Math.round(result.connections.length / (result.wallMs / 1000)),
    connackMs: {
      p50: round(quantile(result.latenciesMs, 0.5)),
      p99: round(quantile(result.latenciesMs, 0.99)),
      max: round(quantile(result.latenciesMs, 1)),
    },
    ...(cpu ? { cpuPercentOfCore: cpu } : {}),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * The process's V8 heap in use (prom-client's default metric), in MiB: tells retained objects from RSS the heap has not
 * handed back.
 */
async function heapUsedMb(metricsUrl: string, token: string): Promise<number | undefined> {
  try {
    return (
      Math.round(
        (metricTotal(await scrapeMetrics([metricsUrl], token), 'nodejs_heap_size_used_bytes') / 2 ** 20) * 10,
      ) / 10
    );
  } catch {
    return undefined;
  }
}

/** Polls GET /presence/counts until the online total is `expected`; ms it took (undefined on timeout). */
async function waitForOnline(
  apiUrl: string,
  token: string,
  expected: number,
  timeoutMs = 120_000,
): Promise<number | undefined> {
  const startedAt = performance.now();
  while (performance.now() - startedAt < timeoutMs) {
    const counts = (await (
      await fetch(`${apiUrl}/presence/counts`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Record<string, { online: number }>;
    const online = Object.values(counts).reduce((sum, c) => sum + c.online, 0);
    if (online === expected) return Math.round(performance.now() - startedAt);
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`presence never reached ${expected} online within ${timeoutMs / 1000} s`);
  return undefined;
}

/** The parts of the bench's report that formatReport prints. */
interface ProvisionReport {
  startedAt: string;
  git: ReturnType<typeof gitInfo>;
  machine: ReturnType<typeof machineInfo>;
  config: { devices: number; concurrency: number; format: string; type: string; cities: string[]; bodyBytes: number };
  results: {
    bulk: {
      ms: number;
      devicesPerSecond: number;
      scrypt?: { N: number; r: number; p: number };
      cpuPercentOfCore: Record<string, number>;
    };
    connect: ReturnType<typeof summary>;
    presenceAllOnlineAfterLastConnackMs: number | undefined;
    reconnect: ReturnType<typeof summary> | undefined;
    brokerRssMb: {
      idle: number | undefined;
      allConnected: number | undefined;
      afterReconnect: number | undefined;
      peak: number | undefined;
      heapUsed: { idle: number | undefined; allConnected: number | undefined; afterReconnect: number | undefined };
      perConnectionKb: number | undefined;
    };
  };
}

function formatReport(report: ProvisionReport): string {
  const r = report.results;
  const c = r.connect;
  const rows: Row[] = [
    `citypulse provision bench — ${report.startedAt}, ` +
      `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    `machine: ${report.machine.cores} cores (${report.machine.cpuModel}), node ${report.machine.node}`,
    `config: ${report.config.devices} × ${report.config.type} over ${report.config.cities.join(', ')}; bulk ` +
      `body ${report.config.format}, ${Math.round(report.config.bodyBytes / 1024)} ` +
      `KiB; ${report.config.concurrency} CONNECTs in flight; broker and API as separate processes`,
    '',
    [
      'bulk call (one POST /devices/bulk)',
      `${(r.bulk.ms / 1000).toFixed(2)} s = ${r.bulk.devicesPerSecond.toLocaleString('en-US')} devices/s ` +
        ` (scrypt N=${r.bulk.scrypt?.N}, r=${r.bulk.scrypt?.r}, p=${r.bulk.scrypt?.p})`,
    ],
    ['  CPU during it (% of one core)', cpuText(r.bulk.cpuPercentOfCore)],
    [
      'connect all (first time: scrypt verify)',
      `${(c.wallMs / 1000).toFixed(2)} s = ${c.perSecond.toLocaleString('en-US')} ` +
        `connections/s; ${c.connected} connected, ${c.failed} failed`,
    ],
    ['  CONNECT → CONNACK p50 / p99 / max', `${c.connackMs.p50} / ${c.connackMs.p99} / ${c.connackMs.max} ms`],
    ['  CPU during it (% of one core)', cpuText(c.cpuPercentOfCore ?? {})],
    [
      'presence: all online in /presence/counts',
      r.presenceAllOnlineAfterLastConnackMs === undefined
        ? 'NOT REACHED'
        : `${r.presenceAllOnlineAfterLastConnackMs} ms after the last CONNACK`,
    ],
  ];
  if (r.reconnect) {
    rows.push([
      'reconnect all (secrets cached)',
      `${(r.reconnect.wallMs / 1000).toFixed(2)} s = ${r.reconnect.perSecond.toLocaleString('en-US')} ` +
        `connections/s; ${r.reconnect.failed} failed`,
    ]);
    rows.push([
      '  CONNECT → CONNACK p50 / p99 / max',
      `${r.reconnect.connackMs.p50} / ${r.reconnect.connackMs.p99} / ${r.reconnect.connackMs.max} ms`,
    ]);
  }
  const m = r.brokerRssMb;
  rows.push('');
  rows.push([
    'broker RSS idle / all connected',
    `${m.idle} / ${m.allConnected} MiB  (≈ ${m.perConnectionKb} KiB per connection)`,
  ]);
  if (m.afterReconnect !== undefined) rows.push(['broker RSS after the reconnect pass', `${m.afterReconnect} MiB`]);
  rows.push(['broker RSS peak (VmHWM)', `${m.peak} MiB`]);
  rows.push([
    'broker V8 heap used idle / connected / after reconnect',
    `${m.heapUsed.idle} / ${m.heapUsed.allConnected} / ${m.heapUsed.afterReconnect ?? 'n/a'} MiB`,
  ]);
  return formatRows(rows);
}
