import { log } from '../common/bench-log.js';
import { runBenchCommand } from '../common/bench-command.js';
import { startBenchRun } from '../common/bench-run.js';
import type { Cleanup } from '../common/cleanup.js';
import {
  connectionsHelp,
  loopbackAddresses,
  parseConnectionsOptions,
  type ConnectionsOptions,
} from './connections-options.js';
import { prepareBenchTls } from '../common/bench-tls.js';
import { connectAll, disconnectAll, holdAndMeasure, idleBroker, type FleetRig } from './connections-passes.js';
import { formatConnectionsReport, whatLimited, type ConnectionsReport } from './connections-report.js';
import { startBroker, STORM_LABELS } from './connections-storms.js';
import { runTlsPhase } from './connections-tls.js';
import { HolderPool } from './holder-pool.js';
import { writeJsonReport } from '../common/json-report.js';
import { readKernelLimits, readOpenFiles } from '../common/proc-stats.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE, bulkProvision, bulkRows } from '../common/provision.js';
import { gitInfo, machineInfo } from '../common/run-context.js';
import { serviceEnv } from '../common/service-env.js';
import { startServices } from '../common/services.js';
import { PRODUCTION_NODE_ARGS } from '../common/production-node-args.js';

/** Devices per POST /devices/bulk (the API takes up to CP_BULK_MAX_DEVICES, 20,000 by default). */
const BULK_CHUNK = 10_000;

/**
 * `npm run bench -- connections [options]`; resolves with the exit code (1 when connections were lost while held, over
 * TCP or TLS).
 */
export function runConnectionsBench(argv: string[]): Promise<number> {
  return runBenchCommand(argv, { parse: parseConnectionsOptions, help: connectionsHelp, run: bench });
}

async function bench(options: ConnectionsOptions, cleanup: Cleanup): Promise<number> {
  const run = await startBenchRun(
    { ...options, prefixSuffix: 'conn', databaseName: (stamp) => `bench_conn_${stamp}` },
    cleanup,
  );
  const env = serviceEnv({
    ...options,
    redisPrefix: run.redisPrefix,
    database: run.databaseName,
    token: run.token,
    passThrough: true,
    alsoOwned: ['CP_APPS'],
  });
  const nodeArgs = [...PRODUCTION_NODE_ARGS];
  // The TLS files are made now, but only the broker of the TLS phase (connections-tls.ts) serves TLS.
  const tlsFiles = options.tls ? await prepareBenchTls(cleanup) : undefined;
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
  log(
    `broker open files ${brokerFiles?.open} of ${brokerFiles?.soft} (hard ${brokerFiles?.hard}); this process ` +
      `may open ${readOpenFiles(process.pid)?.soft}; fs.file-max ${kernel.fileMax}; ` +
      `ports ${kernel.localPortRange?.join('–')}`,
  );

  log(
    `provisioning ${options.connections.toLocaleString('en-US')} devices in bulk ` +
      `(${BULK_CHUNK.toLocaleString('en-US')} per POST /devices/bulk)`,
  );
  const provisionStarted = performance.now();
  const devices: Array<{ id: string; secret: string }> = [];
  let scrypt: { N: number; r: number; p: number } | undefined;
  for (let first = 0; first < options.connections; first += BULK_CHUNK) {
    const rows = bulkRows(
      Math.min(BULK_CHUNK, options.connections - first),
      BENCH_DEVICE_TYPE,
      BENCH_CITIES,
      first + 1,
    );
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
  const rig: FleetRig = { options, holders, slices, addresses, token: run.token, api };
  const starter = { entry: options.entry, env, nodeArgs, logDir: run.logDir, stamp: run.stamp };
  let idle = await idleBroker(broker, run.token);

  const first = await connectAll(rig, broker, 'first connect (scrypt verify)');
  const reconnects: ConnectionsReport['results']['reconnects'] = [];
  for (const storm of options.storms) {
    await disconnectAll(rig, broker);
    if (storm !== 'cached') {
      // restart: this broker goes and a new process takes its place; move: a second broker
      // process takes every device while the first keeps running (stopped at the end).
      if (storm === 'restart') await broker.stop();
      const next = await startBroker(storm === 'restart' ? 'broker (restarted)' : 'broker (second)', {
        ...starter,
        stamp: `${run.stamp}-${reconnects.length + 1}`,
      });
      cleanup.add(`stop ${next.name}`, () => next.stop());
      log(`${next.name} pid ${next.pid}, MQTT 127.0.0.1:${next.mqttPort}`);
      broker = next;
      idle = await idleBroker(broker, run.token);
    }
    reconnects.push({ storm, ...(await connectAll(rig, broker, STORM_LABELS[storm])) });
  }
  const latest = reconnects.at(-1) ?? first;
  const held = await holdAndMeasure(rig, broker, idle);
  const tls = tlsFiles ? await runTlsPhase({ rig, previous: broker, starter, tls: tlsFiles, cleanup }) : undefined;

  const report: ConnectionsReport = {
    bench: 'connections',
    startedAt: run.startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: {
      ...options,
      holders: holderCount,
      sourceAddresses: addresses,
      processes: [
        `${broker.name} (${broker.apps})`,
        `${api.name} (${api.apps})`,
        ...(tls ? [`${tls.broker.name} (${tls.broker.apps}, TLS)`] : []),
      ],
      redisPrefix: run.redisPrefix,
    },
    limits: { broker: brokerFiles, bench: readOpenFiles(process.pid), kernel },
    results: {
      provision: { devices: devices.length, seconds: Math.round(provisionS * 10) / 10, scrypt },
      first,
      reconnects,
      ...held,
      tls: tls?.phase,
    },
    limitedBy: '',
  };
  report.limitedBy = whatLimited(report, latest);
  console.log(`\n${formatConnectionsReport(report)}\n`);
  console.log(`report written to ${writeJsonReport('connections', report, run.outDir, run.stamp)}`);
  await holders.each(() => ({ cmd: 'disconnect' }), 'disconnected').catch(() => undefined);
  const lost = held.hold.lost + (tls?.phase.hold.lost ?? 0);
  return lost === 0 ? 0 : 1;
}
