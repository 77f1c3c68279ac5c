import { STORM_LABELS, type Storm } from './connections-storms.js';
import type { ConnectedReply } from './holder-protocol.js';
import type { MemoryStatus, OpenFiles, readKernelLimits } from '../common/proc-stats.js';
import type { ProcessSample } from '../common/process-sample.js';
import type { GitInfo, MachineInfo } from '../common/run-context.js';
import { cpuText, formatRows, type Row } from '../common/text-table.js';

/** One pass of CONNECTs over the whole fleet. */
export interface ConnectPass {
  connected: number;
  failed: number;
  failureReasons: Record<string, number>;
  /** A holder stopped trying after 500 failures in a row. */
  gaveUp: boolean;
  /** The slowest holder's wall time: the pass is over when the last holder is. */
  wallMs: number;
  perSecond: number;
  connackMs: { p50: number; p99: number; max: number };
  cpuPercentOfCore: Record<string, number>;
  brokerRssKb?: number;
  brokerOpenFiles?: number;
  /**
   * How the broker checked the secrets during the pass (citypulse_device_secret_checks_total): memory, proof, scrypt.
   */
  secretChecks?: Record<string, number>;
  /** TLS handshakes that resumed an earlier session (0 over TCP). */
  resumed?: number;
}

/** The fleet held for a while, and what the broker's memory did meanwhile. */
export interface HeldFleet {
  /** Connections closed again at the open-file wall so the broker could answer its health port. */
  releasedAtWall: number;
  hold: {
    seconds: number;
    /** citypulse_mqtt_connections, the broker's own count. */
    brokerConnectionsAtStart?: number;
    brokerConnectionsAtEnd?: number;
    openAtStart: number;
    openAtEnd: number;
    lost: number;
    published: number;
    acked: number;
    pingreqs: number;
    pingresps: number;
    ackLatencyMs: { count: number; p50: number; p99: number; max: number };
    cpuPercentOfCore: Record<string, number>;
    machineBusyPercent: number;
    brokerSamples: Array<{ atS: number; connections?: number } & ProcessSample>;
  };
  broker: {
    rssMb: { idle?: number; connected?: number; afterHold?: number; peak?: number };
    heapUsedMb: { idle?: number; connected?: number };
    /** (RSS after the hold − RSS idle) ÷ connections held. */
    rssPerConnectionKb?: number;
  };
}

/**
 * `--tls`: on a fresh broker process with its TLS listener, the fleet's first connect over TLS,
 * then the reconnect storm three ways (every secret already verified, so the transport is the
 * difference), and the fleet held over TLS.
 */
export interface TlsPhase extends HeldFleet {
  first: ConnectPass;
  storms: { tcp: ConnectPass; tlsFull: ConnectPass; tlsResumed: ConnectPass };
}

export interface ConnectionsReport {
  bench: 'connections';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: Record<string, unknown> & {
    connections: number;
    addresses: number;
    holders: number;
    keepaliveS: number;
    publishIntervalS: number;
  };
  limits: { broker?: OpenFiles; bench?: OpenFiles; kernel: ReturnType<typeof readKernelLimits> };
  results: HeldFleet & {
    provision: { devices: number; seconds: number; scrypt?: { N: number; r: number; p: number } };
    first: ConnectPass;
    /** The reconnect storms, in the order run. */
    reconnects: Array<ConnectPass & { storm: Storm }>;
    /** With --tls. */
    tls?: TlsPhase;
  };
  /** What kept the count below the target, in words; empty when the target was held. */
  limitedBy: string;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The holders' replies of one pass as one figure set. */
export function summariseConnect(
  replies: readonly ConnectedReply[],
  cpu: Record<string, number>,
  brokerMemory?: MemoryStatus,
  brokerFiles?: OpenFiles,
): ConnectPass {
  const latencies = replies.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const at = (q: number) =>
    latencies.length === 0
      ? Number.NaN
      : round(latencies[Math.min(latencies.length - 1, Math.max(0, Math.ceil(q * latencies.length) - 1))]);
  const failureReasons: Record<string, number> = {};
  for (const reply of replies)
    for (const [reason, count] of Object.entries(reply.failureReasons))
      failureReasons[reason] = (failureReasons[reason] ?? 0) + count;
  const connected = replies.reduce((s, r) => s + r.connected, 0);
  const wallMs = Math.max(...replies.map((r) => r.wallMs));
  return {
    connected,
    failed: replies.reduce((s, r) => s + r.failed, 0),
    failureReasons,
    gaveUp: replies.some((r) => r.gaveUp),
    wallMs: Math.round(wallMs),
    perSecond: Math.round(connected / (wallMs / 1000)),
    connackMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
    cpuPercentOfCore: cpu,
    brokerRssKb: brokerMemory?.vmRssKb,
    brokerOpenFiles: brokerFiles?.open,
    resumed: replies.reduce((s, r) => s + r.resumed, 0),
  };
}

/**
 * Why fewer than the target were held, from the evidence of the run: the broker's descriptors
 * against its open-file limit, the failure messages, the ephemeral ports per source address.
 */
export function whatLimited(report: ConnectionsReport, pass: ConnectPass): string {
  const target = report.config.connections;
  const held = report.results.hold.brokerConnectionsAtEnd ?? report.results.hold.openAtEnd;
  if (pass.failed === 0 && held >= target) return '';
  const reasons: string[] = [];
  const broker = report.limits.broker;
  if (broker && pass.brokerOpenFiles !== undefined && pass.brokerOpenFiles >= broker.soft - 100) {
    reasons.push(
      `the broker process's open-file limit: ${pass.brokerOpenFiles.toLocaleString('en-US')} descriptors open ` +
        `of RLIMIT_NOFILE ${broker.soft.toLocaleString('en-US')} (hard ${broker.hard.toLocaleString('en-US')}), ` +
        `one per connection` +
        (broker.hard <= broker.soft
          ? '; the hard limit cannot be raised without CAP_SYS_RESOURCE (ulimit -Hn), which this machine does ' +
            'not grant even to root'
          : '; raise it with ulimit -n before npm run bench'),
    );
  }
  const kinds = Object.entries(pass.failureReasons).sort((a, b) => b[1] - a[1]);
  if (kinds.some(([k]) => /EADDRNOTAVAIL/.test(k)))
    reasons.push('ephemeral ports of the source addresses ran out: use more --addresses');
  if (kinds.some(([k]) => /EMFILE/.test(k)))
    reasons.push('a holder process ran out of descriptors: lower --per-holder');
  if (kinds.length > 0)
    reasons.push(`failures: ${kinds.map(([k, n]) => `${n.toLocaleString('en-US')} × ${k}`).join('; ')}`);
  if (report.results.releasedAtWall > 0)
    reasons.push(
      `${report.results.releasedAtWall} connections were closed again at the wall so the broker could answer ` +
        `its health port`,
    );
  return reasons.join('. ') || `held ${held} of ${target}`;
}

const int = (n: number | undefined) =>
  n === undefined || Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US');

export function formatConnectionsReport(report: ConnectionsReport): string {
  const { first, reconnects, provision, tls } = report.results;
  const lim = report.limits;
  const target = report.config.connections;
  const rows: Row[] = [
    `citypulse connections bench — ${report.startedAt}, ` +
      `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    `machine: ${report.machine.cores} cores (${report.machine.cpuModel}), ${int(report.machine.memoryMb)} ` +
      `MiB, node ${report.machine.node}`,
    `config: target ${int(target)} connections on one broker process, from ${report.config.holders} holder ` +
      `process(es) over ${report.config.addresses} loopback source address(es); ` +
      `keepalive ${report.config.keepaliveS} s, one QoS 1 reading per device ` +
      `every ${report.config.publishIntervalS} s`,
    `limits: broker RLIMIT_NOFILE ${int(lim.broker?.soft)} (hard ${int(lim.broker?.hard)}); ` +
      `fs.file-max ${int(lim.kernel.fileMax)}; ephemeral ports ${lim.kernel.localPortRange?.join('–') ?? 'n/a'} ` +
      `per source address`,
    '',
    ...heldRows('CONNECTIONS HELD (broker’s own count, end of hold)', report.results, target),
    '',
    [
      'bulk provisioning',
      `${int(provision.devices)} devices in ${provision.seconds} s (scrypt N=${provision.scrypt?.N})`,
    ],
    ...passRows('first connect (scrypt verify of each secret)', first),
    ...reconnects.flatMap((r) => passRows(STORM_LABELS[r.storm], r)),
    '',
    ...holdingRows(report.results.hold),
  ];
  if (tls) rows.push('', ...tlsRows(tls, report.results.broker.rssPerConnectionKb, target));
  if (report.limitedBy) rows.push('', ['LIMITED BY', report.limitedBy]);
  return formatRows(rows);
}

function tlsRows(tls: TlsPhase, tcpRssPerConnectionKb: number | undefined, target: number): Row[] {
  const [perTls, perTcp] = [tls.broker.rssPerConnectionKb, tcpRssPerConnectionKb];
  const { tcp, tlsFull, tlsResumed } = tls.storms;
  const ratio = (p: ConnectPass) => (tcp.perSecond > 0 ? `  (${(p.perSecond / tcp.perSecond).toFixed(2)} × TCP)` : '');
  return [
    'TLS (--tls): a fresh broker process with its TLS listener; the fleet connected and held over TLS 1.3',
    ...heldRows('CONNECTIONS HELD OVER TLS', tls, target),
    [
      'broker RSS per held connection, TLS vs TCP',
      `${perTls ?? 'n/a'} vs ${perTcp ?? 'n/a'} ` +
        `KiB${perTls && perTcp ? `  (TLS − TCP: ${(perTls - perTcp).toFixed(1)} KiB a connection)` : ''}`,
    ],
    ...passRows('first connect over TLS (full handshakes)', tls.first),
    'reconnect storm three ways (secrets already verified: the transport is the difference)',
    ...passRows('over TCP', tcp),
    ...passRows('over TLS, full handshakes', tlsFull, ratio(tlsFull)),
    ...passRows('over TLS, resuming sessions', tlsResumed, ratio(tlsResumed)),
    [
      '  sessions resumed',
      `${int(tlsResumed.resumed)} of ${int(tlsResumed.connected)} (TLS 1.3 tickets from each device's ` +
        `previous connection; ${int(tlsFull.resumed)} in the full-handshake storm)`,
    ],
    ...holdingRows(tls.hold, ' over TLS'),
  ];
}

/** One connect pass; `note` goes after its rate. */
function passRows(label: string, p: ConnectPass, note = ''): Row[] {
  return [
    [
      label,
      `${int(p.connected)} connected, ${int(p.failed)} failed in ${(p.wallMs / 1000).toFixed(1)} s ` +
        `= ${int(p.perSecond)} CONNECTs/s${note}${p.gaveUp ? '  (stopped after 500 failures in a row)' : ''}`,
    ],
    ['  CONNECT → CONNACK p50 / p99 / max', `${p.connackMs.p50} / ${p.connackMs.p99} / ${p.connackMs.max} ms`],
    ['  CPU meanwhile (% of one core)', cpuText(p.cpuPercentOfCore)],
    ...(p.secretChecks
      ? [
          [
            '  secrets checked by',
            Object.entries(p.secretChecks)
              .map(([by, n]) => `${by} ${int(n)}`)
              .join(', ') || 'none',
          ] as Row,
        ]
      : []),
  ];
}

function heldRows(label: string, { hold, broker }: HeldFleet, target: number): Row[] {
  return [
    [
      label,
      `${int(hold.brokerConnectionsAtEnd)}  (target ${int(target)}; ${int(hold.openAtEnd)} open at the ` +
        `holders, ${int(hold.lost)} lost during the ${hold.seconds} s hold)`,
    ],
    [
      'broker RSS idle → connected → after hold',
      `${broker.rssMb.idle} → ${broker.rssMb.connected} → ${broker.rssMb.afterHold} MiB ` +
        ` (peak ${broker.rssMb.peak} MiB)`,
    ],
    ['broker RSS per connection', `${broker.rssPerConnectionKb ?? 'n/a'} KiB  ((after hold − idle) ÷ held)`],
    ['broker V8 heap used idle → connected', `${broker.heapUsedMb.idle} → ${broker.heapUsedMb.connected} MiB`],
  ];
}

function holdingRows(hold: HeldFleet['hold'], over = ''): Row[] {
  const lagP99 = hold.brokerSamples.map((s) => s.lagP99Ms).filter((v): v is number => v !== undefined);
  const lagMax = hold.brokerSamples.map((s) => s.lagMaxMs).filter((v): v is number => v !== undefined);
  return [
    [
      `PUBACK p50 / p99 / max while holding${over}`,
      `${hold.ackLatencyMs.p50} / ${hold.ackLatencyMs.p99} / ${hold.ackLatencyMs.max} ms  (${int(hold.acked)} ` +
        `of ${int(hold.published)} readings acked)`,
    ],
    ['PINGREQ → PINGRESP (since CONNACK)', `${int(hold.pingresps)} of ${int(hold.pingreqs)} answered`],
    [
      'broker event-loop lag p99 / max (15 s samples)',
      lagP99.length
        ? `worst p99 ${Math.max(...lagP99)} ms, max ${Math.max(...lagMax)} ms  (10 ms resolution)`
        : 'n/a (the broker did not answer /metrics)',
    ],
    [
      'CPU while holding (% of one core)',
      `${cpuText(hold.cpuPercentOfCore)}; machine ${hold.machineBusyPercent}% busy`,
    ],
  ];
}
