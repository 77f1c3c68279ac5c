import { log } from '../common/bench-log.js';
import { measureConnectStorm, type BenchTls, type TlsConnectStorm } from '../common/bench-tls.js';
import type { Cleanup } from '../common/cleanup.js';
import type { BenchDatabase } from '../common/influx-count.js';
import type { IngestOptions } from './ingest-options.js';
import { loadRates, runMeasuredLoad, type LoadRates, type MeasuredLoad } from '../common/measured-load.js';
import type { BenchDevice } from '../common/provision.js';
import { formatRows } from '../common/text-table.js';

export interface TlsPassReport {
  tcp: LoadRates;
  tls: LoadRates;
  /** TLS ÷ TCP readings/s, PUBACKed and end to end (target ≥ 0.8). */
  ratio: { acked: number; endToEnd: number };
  connectStorm: TlsConnectStorm;
}

/**
 * `ingest --tls`: the same devices publish for the same duration over the TLS listener of the
 * same service right after the TCP pass, so the ratio compares transports, not runs. Then the
 * CONNECT storm (bench-tls.ts).
 */
export async function runTlsPass(o: {
  options: IngestOptions;
  tls: BenchTls;
  devices: readonly BenchDevice[];
  tcp: MeasuredLoad;
  tcpPort: number;
  brokerPid: number;
  metricsUrls: readonly string[];
  token: string;
  database: BenchDatabase;
  cleanup: Cleanup;
}): Promise<TlsPassReport> {
  log(
    `TLS pass: the same ${o.devices.length} devices publish over TLS (port ${o.tls.port}) for ${o.options.durationS} s`,
  );
  const tls = await runMeasuredLoad({
    mqttPorts: [o.tls.port],
    devices: o.devices,
    load: {
      window: o.options.window,
      durationS: o.options.durationS,
      warmupS: o.options.warmupS,
      rate: o.options.rate,
      batch: o.options.batch,
      settleTimeoutMs: 30_000,
      tls: { ca: o.tls.ca },
    },
    metricsUrls: o.metricsUrls,
    token: o.token,
    database: o.database,
    drainTimeoutS: o.options.drainTimeoutS,
    before: { storedCounter: o.tcp.drain.stored, points: o.tcp.stored },
    cleanup: o.cleanup,
  });
  log('CONNECT storm: the fleet over TCP, over TLS (full handshakes), over TLS resuming sessions');
  const connectStorm = await measureConnectStorm({
    devices: o.devices,
    tcpPort: o.tcpPort,
    tls: o.tls,
    brokerPid: o.brokerPid,
    concurrency: 32,
  });
  const [tcpRates, tlsRates] = [loadRates(o.tcp), loadRates(tls)];
  const report: TlsPassReport = {
    tcp: tcpRates,
    tls: tlsRates,
    ratio: {
      acked: tlsRates.readingsAckedPerS / tcpRates.readingsAckedPerS,
      endToEnd: tlsRates.endToEndPerS / tcpRates.endToEndPerS,
    },
    connectStorm,
  };
  console.log(`\n${formatTlsPass(report)}\n`);
  return report;
}

export function formatTlsPass(r: TlsPassReport): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const pass = (p: TlsConnectStorm['plain']) =>
    `${n(p.connectsPerS)} CONNECTs/s, ${p.connections} connections, broker RSS ` +
    `+${p.rssPerConnectionKb.toFixed(1)} KB ` +
    `each${p.resumed ? `, ${p.resumed} resumed` : ''}${p.failures ? `, ${p.failures} FAILED` : ''}`;
  return formatRows([
    'TLS beside TCP (same service, same devices, same duration)',
    [
      'TCP readings/s',
      `${n(r.tcp.readingsAckedPerS)} PUBACKed, ${n(r.tcp.endToEndPerS)} end to end, ${r.tcp.lost} lost`,
    ],
    [
      'TLS readings/s',
      `${n(r.tls.readingsAckedPerS)} PUBACKed, ${n(r.tls.endToEndPerS)} end to end, ${r.tls.lost} lost`,
    ],
    ['TLS ÷ TCP', `${r.ratio.acked.toFixed(2)} PUBACKed, ${r.ratio.endToEnd.toFixed(2)} end to end (target ≥ 0.80)`],
    'CONNECT storm (secrets already verified: the handshake is the difference)',
    ['TCP', pass(r.connectStorm.plain)],
    ['TLS, full handshake', pass(r.connectStorm.tlsFull)],
    ['TLS, resumed session', pass(r.connectStorm.tlsResumed)],
  ]);
}
