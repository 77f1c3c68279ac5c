import type { CeilingBaseline } from './influx-ceiling.js';
import type { MosquittoBaseline } from './mosquitto-baseline.js';
import type { PlainBridgeBaseline } from './plain-bridge.js';
import type { ProcessProfile } from '../profile/profile-summary.js';
import type { GitInfo, MachineInfo } from '../common/run-context.js';
import type { RssSummary } from '../common/service-process.js';
import { cpuText, formatRows, type Row } from '../common/text-table.js';
import { budgetText, ceilingBudget, othersUsPerReading, type CeilingBudget } from './ceiling-budget.js';

export interface Quantile {
  ms: number;
  /** The quantile fell in the +Inf bucket: the true value is above `ms`. */
  aboveHighestBound: boolean;
}

export interface IngestReport {
  bench: 'ingest';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: {
    devices: number;
    deviceType: string;
    cities: readonly string[];
    fieldsPerReading: number;
    window: number;
    durationS: number;
    warmupS: number;
    /** Readings/s cap; 0 = unlimited. */
    rate: number;
    batch: number;
    /** The citypulse processes and the apps each ran. */
    processes: Array<{ name: string; apps: string }>;
    redisUrl: string;
    influxUrl: string;
    influxDatabase: string;
    redisPrefix: string;
    /** CP_* the service ran with (the API token left out). */
    serviceEnv: Record<string, string>;
    serviceNodeArgs: string[];
  };
  results: {
    messagesPublished: number;
    readingsPublished: number;
    messagesAcked: number;
    readingsAcked: number;
    unackedMessages: number;
    connectionsLost: number;
    /** Counted in InfluxDB: the ground truth. */
    stored: number;
    /** readingsAcked − stored; anything above 0 breaks the promise "nothing acknowledged is lost". */
    lost: number;
    storedByServiceMetric: number;
    storedAtPublishStop?: number;
    rejected: number;
    droppedByInflux: number;
    drained: boolean;
    publishPhaseS: number;
    /** First publish → the moment the service reported stored ≥ PUBACKed (drain included). */
    endToEndS: number;
    endToEndReadingsPerSecond: number;
    endToEndMessagesPerSecond: number;
    publishPhaseReadingsPerSecond: number;
    publishPhaseMessagesPerSecond: number;
    endToEndFieldValuesPerSecond: number;
    /** Publish → PUBACK per message, from the generator's HDR histogram (µs resolution). */
    warmupAckLatencyMs: { count: number; p50: number; p99: number; max: number };
    ackLatencyMs: { count: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
    /** From the service's citypulse_reading_store_delay_seconds buckets, interpolated: bucket resolution only. */
    storeDelayMs: { p50?: Quantile; p99?: Quantile; resolution: string };
    /** The ingest worker's InfluxDB writes: how many, how large, how long (bucket resolution). */
    influxWrites: { count: number; meanLines: number; p50?: Quantile; p99?: Quantile };
    /** Per service process; undefined if it had gone before it could be read. */
    serviceRssMb: Record<string, RssSummary | undefined>;
    /** % of one core over the publish phase (200 = both cores here). */
    cpuPercentOfCore: Record<string, number>;
    machineBusyPercent: number;
    /**
     * CPU µs per stored reading per process (ours, Redis, InfluxDB, the generator), from first publish until the
     * service reported every PUBACKed reading stored: the plain bridge's figures are taken the same way.
     */
    cpuUsPerReading: Record<string, number>;
    readingsAckedPerSecond: number[];
  };
  baselines?: {
    influxCeiling?: CeilingBaseline;
    mosquitto?: MosquittoBaseline;
    plainBridge?: PlainBridgeBaseline;
    /** Our end-to-end readings/s ÷ the baseline's lines (or readings) per second. */
    ratioToInfluxCeiling?: number;
    ratioToMosquitto?: number;
    ratioToPlainBridge?: number;
    errors: string[];
  };
  profiles?: ProcessProfile[];
}

/** The share of the InfluxDB ceiling the ten-reading-batch target asks for (issue #20). */
const CEILING_SHARE_TARGET = 0.5;

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toString());
const quantile = (q?: Quantile) => (q ? `${q.aboveHighestBound ? '> ' : ''}${ms(q.ms)} ms` : 'n/a');

/** The report as an aligned two-column table, in the order a reader checks things. */
export function formatTable(report: IngestReport): string {
  const { config: c, results: r, baselines: b } = report;
  const rows: Row[] = [
    `citypulse ingest bench — ${report.startedAt}, ` +
      `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    `machine: ${report.machine.cores} cores (${report.machine.cpuModel}), ${int(report.machine.memoryMb)} ` +
      `MiB, node ${report.machine.node}`,
    `config: ${c.devices} × ${c.deviceType}, ${c.fieldsPerReading} fields/reading, ` +
      `window ${c.window}, ${c.durationS} s, ` +
      `rate ${c.rate > 0 ? `${int(c.rate)}/s` : 'unlimited'}, ` +
      (c.batch === 1 ? 'one reading per publish' : `batch ${c.batch} readings per publish`),
    `service: ${c.processes.map((p) => `${p.name} (${p.apps})`).join(' + ')}`,
    '',
    ['readings published', int(r.readingsPublished) + (c.batch > 1 ? `  (${int(r.messagesPublished)} messages)` : '')],
    [
      'readings PUBACKed',
      int(r.readingsAcked) + (r.unackedMessages > 0 ? `  (${int(r.unackedMessages)} messages never acked)` : ''),
    ],
    ['readings stored (InfluxDB count)', int(r.stored)],
    ['LOST (PUBACKed − stored)', r.lost === 0 ? '0' : `${int(r.lost)}   <<<<<<<<<< ACKNOWLEDGED READINGS LOST`],
    ...(r.rejected > 0
      ? [['rejected by the broker', `${int(r.rejected)}   <<< the generator sent invalid readings`] as [string, string]]
      : []),
    ...(r.droppedByInflux > 0 ? [['dropped by InfluxDB', int(r.droppedByInflux)] as [string, string]] : []),
    ...(r.connectionsLost > 0 ? [['connections lost', String(r.connectionsLost)] as [string, string]] : []),
    '',
    [
      'end-to-end readings/s',
      `${int(r.endToEndReadingsPerSecond)}   (stored ÷ ${r.endToEndS.toFixed(2)} s from first publish to all ` +
        `stored${r.drained ? '' : ', NOT DRAINED'})`,
    ],
    ['end-to-end field values/s', int(r.endToEndFieldValuesPerSecond)],
    ...(c.batch > 1 ? [['end-to-end messages/s', int(r.endToEndMessagesPerSecond)] as [string, string]] : []),
    [
      'publish-phase readings/s',
      `${int(r.publishPhaseReadingsPerSecond)}   (PUBACKed ÷ ${r.publishPhaseS.toFixed(2)} s)`,
    ],
    ...(c.batch > 1 ? [['publish-phase messages/s', int(r.publishPhaseMessagesPerSecond)] as [string, string]] : []),
    [
      'stored when publishing stopped',
      r.storedAtPublishStop === undefined
        ? 'n/a'
        : `${int(r.storedAtPublishStop)} (${pct(r.storedAtPublishStop, r.readingsAcked)} of PUBACKed)`,
    ],
    ['PUBACKed/s per second (min/median/max)', perSecond(r.readingsAckedPerSecond)],
    '',
    [
      'publish → PUBACK p50 / p99 / max',
      `${ms(r.ackLatencyMs.p50)} / ${ms(r.ackLatencyMs.p99)} / ${ms(r.ackLatencyMs.max)} ms` +
        (c.warmupS > 0 ? `   (publishes after the first ${c.warmupS} s)` : ''),
    ],
    ...(r.warmupAckLatencyMs.count > 0
      ? [
          [
            '  during the warm-up p50 / p99 / max',
            `${ms(r.warmupAckLatencyMs.p50)} / ${ms(r.warmupAckLatencyMs.p99)} ` +
              `/ ${ms(r.warmupAckLatencyMs.max)} ms   (${int(r.warmupAckLatencyMs.count)} publishes)`,
          ] as [string, string],
        ]
      : []),
    [
      'publish → stored p50 / p99',
      `${quantile(r.storeDelayMs.p50)} / ${quantile(r.storeDelayMs.p99)}   (${r.storeDelayMs.resolution})`,
    ],
    [
      'InfluxDB writes by the service',
      `${int(r.influxWrites.count)} writes, ${int(r.influxWrites.meanLines)} lines each on average, p50 / ` +
        `p99 ${quantile(r.influxWrites.p50)} / ${quantile(r.influxWrites.p99)}`,
    ],
    '',
    ...Object.entries(r.serviceRssMb).flatMap(([name, rss]): Array<[string, string]> => [
      [`${name} RSS peak (VmHWM)`, rss ? `${rss.peakMb} MiB` : 'n/a'],
      [`${name} RSS sampled 1/s min/max/last`, rss ? `${rss.minMb} / ${rss.maxMb} / ${rss.lastMb} MiB` : 'n/a'],
    ]),
    ['CPU during publish (% of one core)', `${cpuText(r.cpuPercentOfCore)}; machine ${r.machineBusyPercent}% busy`],
    ['CPU per reading, first publish → stored', usText(r.cpuUsPerReading)],
  ];
  if (b) {
    rows.push('');
    if (b.influxCeiling) {
      const budget = ceilingBudget({
        cores: report.machine.cores,
        ceilingLinesPerSecond: b.influxCeiling.linesPerSecond,
        share: CEILING_SHARE_TARGET,
        usPerReading: r.cpuUsPerReading,
        othersUs: othersUsPerReading(r.cpuPercentOfCore.others, r.publishPhaseReadingsPerSecond),
      });
      rows.push(...ceilingRows(b.influxCeiling, b.ratioToInfluxCeiling, budget, report.machine.cores));
    }
    if (b.mosquitto) {
      const m = b.mosquitto;
      rows.push([
        `Mosquitto ${m.mosquittoVersion} forwarding (QoS 1 in, QoS ${m.subscriberQos} out)`,
        `${int(m.forwardedPerSecond)} msgs/s${c.batch > 1 ? ` = ${int(m.readingsPerSecond)} readings/s` : ''} ` +
          ` (${int(m.messagesReceived)} delivered of ${int(m.messagesAcked)} PUBACKed, ${m.durationS} s; PUBACK ` +
          `p99 ${ms(m.ackLatency.p99Us / 1000)} ms)`,
      ]);
      const generatorBound = (m.cpuPercentOfCore.generator ?? 0) >= 90;
      rows.push([
        '  CPU while publishing',
        cpuText(m.cpuPercentOfCore) +
          (generatorBound ? '   <<< the load generator was saturated: Mosquitto can do more, this is a floor' : ''),
      ]);
      rows.push(['  ours as a share of it', share(b.ratioToMosquitto)]);
    }
    if (b.plainBridge) rows.push(...plainBridgeRows(b.plainBridge, b.ratioToPlainBridge));
    for (const error of b.errors) rows.push(['baseline failed', error]);
  }
  return formatRows(rows);
}

/**
 * The InfluxDB ceiling, InfluxDB's own CPU per line at it, ours as a share of it and what the
 * target share would ask of this run's CPU per reading.
 */
export function ceilingRows(
  ceil: CeilingBaseline,
  ratio: number | undefined,
  budget: CeilingBudget | undefined,
  cores: number,
): Row[] {
  const rows: Row[] = [
    [
      'InfluxDB ceiling (direct line protocol)',
      `${int(ceil.linesPerSecond)} lines/s  (best of ${ceil.trialLinesPerSecond.map(int).join(' / ')}; ` +
        `${int(ceil.lines)} lines of ${ceil.fieldsPerLine} fields each, ${int(ceil.batchSize)}/batch, ` +
        `concurrency ${ceil.concurrency})`,
    ],
    ['  CPU while writing', cpuText(ceil.cpuPercentOfCore)],
  ];
  if (ceil.influxdUsPerLine !== undefined)
    rows.push(['  InfluxDB CPU per line', `${ceil.influxdUsPerLine.toFixed(2)} µs (all trials)`]);
  rows.push(['  ours as a share of it', share(ratio)]);
  if (budget) rows.push([`  ×${budget.share} of it would need`, budgetText(budget, cores)]);
  return rows;
}

/** The plain bridge's figures, and ours as a multiple of its rate. */
export function plainBridgeRows(bridge: PlainBridgeBaseline, ratio: number | undefined): Row[] {
  const lost = bridge.lost === 0 ? '0 lost' : `${int(bridge.lost)} LOST`;
  const failed =
    bridge.influxWrites.failedLines > 0 ? `, ${int(bridge.influxWrites.failedLines)} in failed writes` : '';
  return [
    [
      `plain bridge (Mosquitto ${bridge.mosquittoVersion} → 1 Node subscriber → InfluxDB)`,
      `${int(bridge.endToEndReadingsPerSecond)} readings/s end to end  (${int(bridge.stored)} stored of ` +
        `${int(bridge.readingsAcked)} PUBACKed, ${lost}${failed}, ${bridge.endToEndS.toFixed(2)} s` +
        `${bridge.drained ? '' : ', NOT DRAINED'}; PUBACK p99 ${ms(bridge.ackLatency.p99Us / 1000)} ms)`,
    ],
    [
      '  CPU per reading, first publish → stored',
      `${usText(bridge.cpuUsPerReading)}   (QoS ${bridge.subscriberQos} subscription, ` +
        `${int(bridge.batchLines)} lines or ${bridge.flushMs} ms per write, ${bridge.maxWritesInFlight} in flight)`,
    ],
    ['  ours as a multiple of it', ratio === undefined ? 'n/a' : `×${ratio.toFixed(2)}`],
  ];
}

/** "broker+api 14.20 µs, redis 3.10 µs"; 'n/a' when nothing was stored. */
export function usText(usPerReading: Record<string, number>): string {
  const entries = Object.entries(usPerReading);
  return entries.length === 0 ? 'n/a' : entries.map(([name, us]) => `${name} ${us.toFixed(2)} µs`).join(', ');
}

function pct(part: number, whole: number): string {
  return whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : 'n/a';
}

function share(ratio?: number): string {
  return ratio === undefined ? 'n/a' : `${(ratio * 100).toFixed(1)}%  (×${ratio.toFixed(3)})`;
}

function perSecond(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  return `${int(sorted[0])} / ${int(sorted[Math.floor(sorted.length / 2)])} / ${int(sorted[sorted.length - 1])}`;
}
