import { log } from '../common/bench-log.js';
import { quantile, type FleetDevice } from '../common/connect-fleet.js';
import type { ConnectionsOptions } from './connections-options.js';
import { summariseConnect, type ConnectPass, type HeldFleet } from './connections-report.js';
import { checksSince, secretChecks } from './connections-storms.js';
import type { HolderPool } from './holder-pool.js';
import type { ConnectedReply, HeldReply, HolderTls } from './holder-protocol.js';
import { metricTotal, scrapeMetrics } from '../common/metrics-scrape.js';
import { CpuWatch, readMemory, readOpenFiles, stackPids, type MemoryStatus } from '../common/proc-stats.js';
import { sampleProcess, type ProcessSample } from '../common/process-sample.js';
import { every } from '../common/periodic.js';
import type { ServiceProcess } from '../common/service-process.js';
import { mib } from '../common/text-table.js';

/** Descriptors the broker keeps for itself at the wall (Redis, its health port, logs), so it can still be measured. */
const BROKER_FD_HEADROOM = 64;

/** What every pass of the connections bench works with: the holder processes and each one's share of the devices. */
export interface FleetRig {
  options: ConnectionsOptions;
  holders: HolderPool;
  /** Devices by holder. */
  slices: FleetDevice[][];
  addresses: string[];
  token: string;
  /** The API's process, watched for CPU while holding. */
  api: ServiceProcess;
}

/** The broker before the fleet arrives: the baseline of RSS per connection. */
export interface IdleBroker {
  rss?: MemoryStatus;
  heapUsedMb?: number;
}

export async function idleBroker(broker: ServiceProcess, token: string): Promise<IdleBroker> {
  return { rss: readMemory(broker.pid), heapUsedMb: (await sampleProcess(broker, token)).sample.heapUsedMb };
}

/** Every device CONNECTs once (to `port`, over TLS when `tls` is given, else to the broker's TCP port). */
export async function connectAll(
  rig: FleetRig,
  broker: ServiceProcess,
  label: string,
  over?: { port: number; tls: HolderTls },
): Promise<ConnectPass> {
  const { options, holders, addresses } = rig;
  const devices = rig.slices.reduce((n, slice) => n + slice.length, 0);
  log(
    `${label}: ${devices.toLocaleString('en-US')} CONNECTs from ${holders.pids.length} holder process(es) ` +
      `over ${addresses.join(', ')}, ${options.concurrency} in ` +
      `flight${options.rate ? `, ≤ ${options.rate}/s` : ''}`,
  );
  const checksBefore = await secretChecks(broker, rig.token);
  const cpu = new CpuWatch({ broker: broker.pid, ...holderPids(holders), ...stackPids(options.redisUrl) });
  cpu.start();
  const replies = await holders.each<ConnectedReply>(
    (h) => ({
      cmd: 'connect',
      devices: rig.slices[h],
      host: '127.0.0.1',
      port: over?.port ?? broker.mqttPort!,
      localAddresses: addresses,
      keepaliveS: options.keepaliveS,
      concurrency: Math.max(1, Math.round(options.concurrency / holders.pids.length)),
      perSecond: options.rate / holders.pids.length,
      giveUpAfterFailuresInARow: 500,
      tls: over?.tls,
    }),
    'connected',
  );
  const pass: ConnectPass = {
    ...summariseConnect(replies, cpu.stop().perProcessPercentOfCore, readMemory(broker.pid), readOpenFiles(broker.pid)),
    secretChecks: checksSince(checksBefore, await secretChecks(broker, rig.token)),
  };
  const resumed = over ? `, ${pass.resumed?.toLocaleString('en-US')} TLS sessions resumed` : '';
  log(
    `${label}: ${pass.connected.toLocaleString('en-US')} connected, ${pass.failed.toLocaleString('en-US')} ` +
      `failed in ${(pass.wallMs / 1000).toFixed(1)} s = ${pass.perSecond.toLocaleString('en-US')} ` +
      `CONNECTs/s${resumed}; secrets checked by ${JSON.stringify(pass.secretChecks)}; broker ` +
      `RSS ${mib(pass.brokerRssKb)} MiB, ${pass.brokerOpenFiles} files open`,
  );
  return pass;
}

/** Every holder closes its connections; resolves once the broker counts none. */
export async function disconnectAll(rig: FleetRig, broker: ServiceProcess): Promise<void> {
  await rig.holders.each((_h) => ({ cmd: 'disconnect' }), 'disconnected');
  await waitForBrokerConnections(broker, rig.token, 0);
}

/**
 * Holds the connected fleet for --hold seconds (a PINGREQ every keepalive, one QoS 1 reading per
 * device per publish interval) and measures the broker meanwhile: its own connection count, RSS
 * (per connection: after the hold − idle, ÷ held), heap, event-loop lag, PUBACK latency.
 */
export async function holdAndMeasure(rig: FleetRig, broker: ServiceProcess, idle: IdleBroker): Promise<HeldFleet> {
  const { options, holders, token } = rig;
  // At the open-file wall the broker could not even accept our /metrics request: give it a little room back.
  const files = readOpenFiles(broker.pid);
  let released = 0;
  if (files && files.open > files.soft - BROKER_FD_HEADROOM) {
    released = files.open - (files.soft - BROKER_FD_HEADROOM);
    log(
      `broker at its open-file limit (${files.open} of ${files.soft}): releasing ${released} connections so ` +
        `it can answer its health port`,
    );
    await holders.each(() => ({ cmd: 'release', count: Math.ceil(released / holders.pids.length) }), 'released');
  }

  const connectedGauge = await brokerConnections(broker, token);
  const rssConnected = readMemory(broker.pid);
  const connectedSample = await sampleProcess(broker, token);
  log(
    `holding ${connectedGauge?.toLocaleString('en-US') ?? '?'} connections for ${options.holdS} s: PINGREQ ` +
      `after ${options.keepaliveS / 2} s of silence, one QoS 1 reading per device ` +
      `every ${options.publishIntervalS} s`,
  );
  const samples: Array<{ atS: number; connections?: number } & ProcessSample> = [];
  const holdStarted = performance.now();
  await sampleProcess(broker, token); // resets the lag histogram: what follows is the hold's own
  const sampling = every(15_000, async () => {
    const { sample, metrics } = await sampleProcess(broker, token);
    samples.push({
      atS: Math.round((performance.now() - holdStarted) / 1000),
      connections: metrics ? metricTotal(metrics, 'citypulse_mqtt_connections') : undefined,
      ...sample,
    });
  });
  const cpuHold = new CpuWatch({ broker: broker.pid, ...holderPids(holders), [rig.api.name]: rig.api.pid });
  cpuHold.start();
  const held = await holders.each<HeldReply>(
    () => ({
      cmd: 'hold',
      seconds: options.holdS,
      publishIntervalS: options.publishIntervalS,
      keepaliveS: options.keepaliveS,
    }),
    'held',
  );
  const heldGauge = await brokerConnections(broker, token);
  const rssHeld = readMemory(broker.pid);
  const holdCpu = cpuHold.stop();
  await sampling.stop();
  return {
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
      rssMb: {
        idle: mib(idle.rss?.vmRssKb),
        connected: mib(rssConnected?.vmRssKb),
        afterHold: mib(rssHeld?.vmRssKb),
        peak: mib(readMemory(broker.pid)?.vmHwmKb),
      },
      heapUsedMb: { idle: idle.heapUsedMb, connected: connectedSample.sample.heapUsedMb },
      rssPerConnectionKb:
        idle.rss && rssHeld && heldGauge
          ? Math.round(((rssHeld.vmRssKb - idle.rss.vmRssKb) / heldGauge) * 10) / 10
          : undefined,
    },
  };
}

const holderPids = (holders: HolderPool) => Object.fromEntries(holders.pids.map((pid, i) => [`holder${i + 1}`, pid]));

const sum = <T>(items: readonly T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);

const quantiles = (values: number[]) => ({
  count: values.length,
  p50: quantile(values, 0.5),
  p99: quantile(values, 0.99),
  max: quantile(values, 1),
});

/** The broker's own count of connected clients (citypulse_mqtt_connections); undefined when it does not answer. */
async function brokerConnections(broker: ServiceProcess, token: string): Promise<number | undefined> {
  try {
    return metricTotal(await scrapeMetrics([broker.metricsUrl], token), 'citypulse_mqtt_connections');
  } catch {
    return undefined;
  }
}

async function waitForBrokerConnections(
  broker: ServiceProcess,
  token: string,
  expected: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await brokerConnections(broker, token)) === expected) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`the broker did not report ${expected} connections within ${timeoutMs / 1000} s`);
}
