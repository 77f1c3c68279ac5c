import { log } from './bench-log.js';
import { runBenchCommand } from './bench-command.js';
import { startBenchRun } from './bench-run.js';
import type { Cleanup } from './cleanup.js';
import { connectionsHelp, loopbackAddresses, parseConnectionsOptions, type ConnectionsOptions } from './connections-options.js';
import { formatConnectionsReport, summariseConnect, whatLimited, type ConnectionsReport, type ConnectPass } from './connections-report.js';
import { checksSince, secretChecks, startBroker, STORM_LABELS } from './connections-storms.js';
import { HolderPool } from './holder-pool.js';
import type { ConnectedReply, HeldReply } from './holder-protocol.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE } from './ingest-results.js';
import { writeJsonReport } from './json-report.js';
import { metricTotal, scrapeMetrics } from './metrics-scrape.js';
import { CpuWatch, readKernelLimits, readMemory, readOpenFiles, stackPids } from './proc-stats.js';
import { sampleProcess, type ProcessSample } from './process-sample.js';
import { every } from './periodic.js';
import { bulkProvision, bulkRows } from './provision.js';
import { gitInfo, machineInfo } from './run-context.js';
import type { ServiceProcess } from './service-process.js';
import { serviceEnv } from './service-env.js';
import { startServices } from './services.js';
import { mib } from './text-table.js';

/** Devices per POST /devices/bulk (the API takes up to CP_BULK_MAX_DEVICES, 20,000 by default). */
const BULK_CHUNK = 10_000;
/** Descriptors the broker keeps for itself at the wall (Redis, its health port, logs), so it can still be measured. */
const BROKER_FD_HEADROOM = 64;

/** `npm run bench -- connections [options]`; resolves with the exit code (1 when connections were lost while held). */
export function runConnectionsBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseConnectionsOptions, help: connectionsHelp, run: bench });
}

async function bench(options: ConnectionsOptions, cleanup: Cleanup): Promise<number> {
  const run = await startBenchRun({ ...options, prefixSuffix: 'conn', databaseName: (stamp) => `bench_conn_${stamp}` }, cleanup);
  const env = serviceEnv({ ...options, redisPrefix: run.redisPrefix, database: run.databaseName, token: run.token, passThrough: true, alsoOwned: ['CP_APPS'] });
  const nodeArgs = ['--enable-source-maps', '--max-semi-space-size=64'];
  // The broker alone in its process, so its memory and descriptors are the connections' and nothing else's.
  const services = await startServices(
    {
      layout: [
        { name: 'broker', apps: 'broker' },
        { name: 'api+ingest', apps: 'api,ingest' },
      ],
      entry: options.entry,
      env,
      nodeArgs,
      logDir: run.logDir,
      stamp: run.stamp,
    },
    (service) => {
      cleanup.add(`stop ${service.name}`, () => service.stop());
      log(`${service.name} pid ${service.pid}${service.mqttPort ? `, MQTT 127.0.0.1:${service.mqttPort}` : ''}`);
    },
  );
  const { api } = services;
  /** The broker process the devices connect to: a new one after a restart or a move. */
  let broker = services.broker;
  const brokerFiles = readOpenFiles(broker.pid);
  const kernel = readKernelLimits();
  const holderCount = Math.ceil(options.connections / options.perHolder);
  log(`broker open files ${brokerFiles?.open} of ${brokerFiles?.soft} (hard ${brokerFiles?.hard}); this process may open ${readOpenFiles(process.pid)?.soft}; fs.file-max ${kernel.fileMax}; ports ${kernel.localPortRange?.join('–')}`);

  log(`provisioning ${options.connections.toLocaleString('en-US')} devices in bulk (${BULK_CHUNK.toLocaleString('en-US')} per POST /devices/bulk)`);
  const provisionStarted = performance.now();
  const devices: Array<{ id: string; secret: string }> = [];
  let scrypt: { N: number; r: number; p: number } | undefined;
  for (let first = 0; first < options.connections; first += BULK_CHUNK) {
    const rows = bulkRows(Math.min(BULK_CHUNK, options.connections - first), BENCH_DEVICE_TYPE, BENCH_CITIES, first + 1);
    const created = await bulkProvision(api.apiUrl!, run.token, rows);
    devices.push(...created.devices);
    scrypt = created.scrypt;
  }
  const provisionS = (performance.now() - provisionStarted) / 1000;
  log(`provisioned in ${provisionS.toFixed(1)} s (scrypt N=${scrypt?.N})`);

  const holders = HolderPool.start(holderCount);
  cleanup.add('stop holders', () => holders.stop());
  const addresses = loopbackAddresses(options.addresses);
  const slices = Array.from({ length: holderCount }, (_, h) => devices.filter((_, i) => i % holderCount === h));
  let rssIdle = readMemory(broker.pid);
  let idle = await sampleProcess(broker, run.token);

  const connectAll = async (label: string): Promise<ConnectPass> => {
    log(`${label}: ${devices.length.toLocaleString('en-US')} CONNECTs from ${holderCount} holder process(es) over ${addresses.join(', ')}, ${options.concurrency} in flight${options.rate ? `, ≤ ${options.rate}/s` : ''}`);
    const checksBefore = await secretChecks(broker, run.token);
    const cpu = new CpuWatch({ broker: broker.pid, ...Object.fromEntries(holders.pids.map((pid, i) => [`holder${i + 1}`, pid])), ...stackPids(options.redisUrl) });
    cpu.start();
    const replies = await holders.each<ConnectedReply>(
      (h) => ({
        cmd: 'connect',
        devices: slices[h],
        host: '127.0.0.1',
        port: broker.mqttPort!,
        localAddresses: addresses,
        keepaliveS: options.keepaliveS,
        concurrency: Math.max(1, Math.round(options.concurrency / holderCount)),
        perSecond: options.rate / holderCount,
        giveUpAfterFailuresInARow: 500,
      }),
      'connected',
    );
    const pass: ConnectPass = { ...summariseConnect(replies, cpu.stop().perProcessPercentOfCore, readMemory(broker.pid), readOpenFiles(broker.pid)), secretChecks: checksSince(checksBefore, await secretChecks(broker, run.token)) };
    log(`${label}: ${pass.connected.toLocaleString('en-US')} connected, ${pass.failed.toLocaleString('en-US')} failed in ${(pass.wallMs / 1000).toFixed(1)} s = ${pass.perSecond.toLocaleString('en-US')} CONNECTs/s; secrets checked by ${JSON.stringify(pass.secretChecks)}; broker RSS ${mib(pass.brokerRssKb)} MiB, ${pass.brokerOpenFiles} files open`);
    return pass;
  };

  const first = await connectAll('first connect (scrypt verify)');
  const reconnects: ConnectionsReport['results']['reconnects'] = [];
  for (const storm of options.storms) {
    await holders.each((_h) => ({ cmd: 'disconnect' }), 'disconnected');
    await waitForBrokerConnections(broker, run.token, 0);
    if (storm !== 'cached') {
      // restart: this broker goes and a new process takes its place; move: a second broker
      // process takes every device while the first keeps running (stopped at the end).
      if (storm === 'restart') await broker.stop();
      const next = await startBroker(storm === 'restart' ? 'broker (restarted)' : 'broker (second)', { entry: options.entry, env, nodeArgs, logDir: run.logDir, stamp: `${run.stamp}-${reconnects.length + 1}` });
      cleanup.add(`stop ${next.name}`, () => next.stop());
      log(`${next.name} pid ${next.pid}, MQTT 127.0.0.1:${next.mqttPort}`);
      broker = next;
      rssIdle = readMemory(broker.pid);
      idle = await sampleProcess(broker, run.token);
    }
    reconnects.push({ storm, ...(await connectAll(STORM_LABELS[storm])) });
  }
  const latest = reconnects.at(-1) ?? first;

  // At the open-file wall the broker could not even accept our /metrics request: give it a little room back.
  const files = readOpenFiles(broker.pid);
  let released = 0;
  if (files && files.open > files.soft - BROKER_FD_HEADROOM) {
    released = files.open - (files.soft - BROKER_FD_HEADROOM);
    log(`broker at its open-file limit (${files.open} of ${files.soft}): releasing ${released} connections so it can answer its health port`);
    await holders.each(() => ({ cmd: 'release', count: Math.ceil(released / holderCount) }), 'released');
  }

  const connectedGauge = await brokerConnections(broker, run.token);
  const rssConnected = readMemory(broker.pid);
  const connectedSample = await sampleProcess(broker, run.token);
  log(`holding ${connectedGauge?.toLocaleString('en-US') ?? '?'} connections for ${options.holdS} s: PINGREQ every ${options.keepaliveS} s, one QoS 1 reading per device every ${options.publishIntervalS} s`);
  const samples: Array<{ atS: number; connections?: number } & ProcessSample> = [];
  const holdStarted = performance.now();
  await sampleProcess(broker, run.token); // resets the lag histogram: what follows is the hold's own
  const sampling = every(15_000, async () => {
    const { sample, metrics } = await sampleProcess(broker, run.token);
    samples.push({ atS: Math.round((performance.now() - holdStarted) / 1000), connections: metrics ? metricTotal(metrics, 'citypulse_mqtt_connections') : undefined, ...sample });
  });
  const cpuHold = new CpuWatch({ broker: broker.pid, ...Object.fromEntries(holders.pids.map((pid, i) => [`holder${i + 1}`, pid])), [api.name]: api.pid });
  cpuHold.start();
  const held = await holders.each<HeldReply>(() => ({ cmd: 'hold', seconds: options.holdS, publishIntervalS: options.publishIntervalS, keepaliveS: options.keepaliveS }), 'held');
  const heldGauge = await brokerConnections(broker, run.token);
  const rssHeld = readMemory(broker.pid);
  const holdCpu = cpuHold.stop();
  await sampling.stop();

  const report: ConnectionsReport = {
    bench: 'connections',
    startedAt: run.startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: { ...options, holders: holderCount, sourceAddresses: addresses, processes: [`${broker.name} (${broker.apps})`, `${api.name} (${api.apps})`], redisPrefix: run.redisPrefix },
    limits: { broker: brokerFiles, bench: readOpenFiles(process.pid), kernel },
    results: {
      provision: { devices: devices.length, seconds: Math.round(provisionS * 10) / 10, scrypt },
      first,
      reconnects,
      releasedAtWall: released,
      hold: {
        seconds: options.holdS,
        brokerConnectionsAtStart: connectedGauge,
        brokerConnectionsAtEnd: heldGauge,
        openAtStart: sum(held, (h) => h.openAtStart),
        openAtEnd: sum(held, (h) => h.openAtEnd),
        lost: sum(held, (h) => h.lost),
        published: sum(held, (h) => h.published),
        acked: sum(held, (h) => h.acked),
        pingreqs: sum(held, (h) => h.pingreqs),
        pingresps: sum(held, (h) => h.pingresps),
        ackLatencyMs: quantiles(held.flatMap((h) => h.ackLatenciesMs)),
        cpuPercentOfCore: holdCpu.perProcessPercentOfCore,
        machineBusyPercent: holdCpu.machineBusyPercent,
        brokerSamples: samples,
      },
      broker: {
        rssMb: { idle: mib(rssIdle?.vmRssKb), connected: mib(rssConnected?.vmRssKb), afterHold: mib(rssHeld?.vmRssKb), peak: mib(readMemory(broker.pid)?.vmHwmKb) },
        heapUsedMb: { idle: idle.sample.heapUsedMb, connected: connectedSample.sample.heapUsedMb },
        rssPerConnectionKb: rssIdle && rssHeld && heldGauge ? Math.round(((rssHeld.vmRssKb - rssIdle.vmRssKb) / heldGauge) * 10) / 10 : undefined,
      },
    },
    limitedBy: '',
  };
  report.limitedBy = whatLimited(report, latest);
  console.log(`\n${formatConnectionsReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('connections', report, run.outDir, run.stamp)}`);
  await holders.each(() => ({ cmd: 'disconnect' }), 'disconnected').catch(() => undefined);
  return report.results.hold.lost === 0 ? 0 : 1;
}

const sum = <T>(items: readonly T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);

function quantiles(values: number[]): { count: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

/** The broker's own count of connected clients (citypulse_mqtt_connections); undefined when it does not answer. */
async function brokerConnections(broker: ServiceProcess, token: string): Promise<number | undefined> {
  try {
    return metricTotal(await scrapeMetrics([broker.metricsUrl], token), 'citypulse_mqtt_connections');
  } catch {
    return undefined;
  }
}

async function waitForBrokerConnections(broker: ServiceProcess, token: string, expected: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await brokerConnections(broker, token)) === expected) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`the broker did not report ${expected} connections within ${timeoutMs / 1000} s`);
}
