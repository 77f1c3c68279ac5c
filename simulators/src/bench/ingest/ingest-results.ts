import { baselineRatios, usPerReading } from './baseline-ratios.js';
import type { DrainResult } from '../common/drain.js';
import type { IngestOptions } from './ingest-options.js';
import type { LoadResult } from '../common/load-generator.js';
import { histogramBuckets, histogramQuantile, metricTotal, type Sample } from '../common/metrics-scrape.js';
import { METER_FIELDS } from '../common/meter-readings.js';
import { BENCH_CITIES, BENCH_DEVICE_TYPE } from '../common/provision.js';
import type { CpuWatch } from '../common/proc-stats.js';
import type { IngestReport, Quantile } from './report.js';
import { gitInfo, machineInfo } from '../common/run-context.js';
import type { RssSummary } from '../common/service-process.js';

export interface ReportInputs {
  options: IngestOptions;
  startedAt: Date;
  redisPrefix: string;
  database: string;
  serviceEnv: Record<string, string>;
  processes: Array<{ name: string; apps: string }>;
  nodeArgs: string[];
  load: LoadResult;
  /** Counted in InfluxDB. */
  stored: number;
  drain: DrainResult;
  /** All service processes' /metrics after the drain. */
  finalMetrics: Sample[];
  storedAtStop?: number;
  cpuUse: ReturnType<CpuWatch['stop']>;
  /** CPU from first publish until the drain was seen: per stored reading. */
  cpuToStored: ReturnType<CpuWatch['stop']>;
  rss: Record<string, RssSummary | undefined>;
  baselines?: IngestReport['baselines'];
  profiles?: IngestReport['profiles'];
}

/** The figures of one run, derived from what the generator, the service and InfluxDB reported. */
export function buildIngestReport(i: ReportInputs): IngestReport {
  const { options, load } = i;
  const publishPhaseS = (load.publishStoppedAt - load.firstPublishAt) / 1000;
  // Drain included: the run is over for a reading only once InfluxDB has it.
  const endToEndS = ((i.drain.reachedAt ?? Date.now()) - load.firstPublishAt) / 1000;
  const endToEndReadingsPerSecond = i.stored / endToEndS;
  const toMs = (q: ReturnType<typeof histogramQuantile>): Quantile | undefined =>
    q ? { ms: q.value * 1000, aboveHighestBound: q.aboveHighestBound } : undefined;
  const delay = histogramBuckets(i.finalMetrics, 'citypulse_reading_store_delay_seconds');
  const writes = histogramBuckets(i.finalMetrics, 'citypulse_influx_write_seconds');
  const writeCount = metricTotal(i.finalMetrics, 'citypulse_influx_write_seconds_count');
  const storedByServiceMetric = metricTotal(i.finalMetrics, 'citypulse_readings_stored_total');
  const l = load.ackLatency;
  const w = load.warmupAckLatency;
  const baselines = i.baselines;
  if (baselines) Object.assign(baselines, baselineRatios(endToEndReadingsPerSecond, baselines));
  const { CP_API_TOKEN: _secret, ...envShown } = i.serviceEnv;
  return {
    bench: 'ingest',
    startedAt: i.startedAt.toISOString(),
    git: gitInfo(),
    machine: machineInfo(),
    config: {
      devices: options.devices,
      deviceType: BENCH_DEVICE_TYPE,
      cities: BENCH_CITIES,
      fieldsPerReading: METER_FIELDS.length,
      window: options.window,
      durationS: options.durationS,
      warmupS: options.warmupS,
      rate: options.rate,
      batch: options.batch,
      processes: i.processes,
      redisUrl: options.redisUrl,
      influxUrl: options.influxUrl,
      influxDatabase: i.database,
      redisPrefix: i.redisPrefix,
      serviceEnv: envShown,
      serviceNodeArgs: i.nodeArgs,
    },
    results: {
      messagesPublished: load.messagesPublished,
      readingsPublished: load.readingsPublished,
      messagesAcked: load.messagesAcked,
      readingsAcked: load.readingsAcked,
      unackedMessages: load.unacked,
      connectionsLost: load.connectionsLost,
      stored: i.stored,
      lost: load.readingsAcked - i.stored,
      storedByServiceMetric,
      storedAtPublishStop: i.storedAtStop,
      rejected: metricTotal(i.finalMetrics, 'citypulse_readings_rejected_total'),
      droppedByInflux: metricTotal(i.finalMetrics, 'citypulse_readings_dropped_total'),
      drained: i.drain.reachedAt !== undefined,
      publishPhaseS,
      endToEndS,
      endToEndReadingsPerSecond: Math.round(endToEndReadingsPerSecond),
      endToEndMessagesPerSecond: Math.round(endToEndReadingsPerSecond / options.batch),
      publishPhaseReadingsPerSecond: Math.round(load.readingsAcked / publishPhaseS),
      publishPhaseMessagesPerSecond: Math.round(load.messagesAcked / publishPhaseS),
      endToEndFieldValuesPerSecond: Math.round(endToEndReadingsPerSecond * METER_FIELDS.length),
      warmupAckLatencyMs: { count: w.count, p50: w.p50Us / 1000, p99: w.p99Us / 1000, max: w.maxUs / 1000 },
      ackLatencyMs: {
        count: l.count,
        mean: l.meanUs / 1000,
        p50: l.p50Us / 1000,
        p90: l.p90Us / 1000,
        p99: l.p99Us / 1000,
        p999: l.p999Us / 1000,
        max: l.maxUs / 1000,
      },
      storeDelayMs: {
        p50: toMs(histogramQuantile(delay, 0.5)),
        p99: toMs(histogramQuantile(delay, 0.99)),
        resolution: 'bucket resolution: interpolated within citypulse_reading_store_delay_seconds buckets',
      },
      influxWrites: {
        count: writeCount,
        meanLines: writeCount > 0 ? storedByServiceMetric / writeCount : 0,
        p50: toMs(histogramQuantile(writes, 0.5)),
        p99: toMs(histogramQuantile(writes, 0.99)),
      },
      serviceRssMb: i.rss,
      cpuPercentOfCore: i.cpuUse.perProcessPercentOfCore,
      machineBusyPercent: i.cpuUse.machineBusyPercent,
      cpuUsPerReading: usPerReading(i.cpuToStored.perProcessCpuMs, i.stored),
      readingsAckedPerSecond: load.readingsAckedPerSecond,
    },
    baselines,
    profiles: i.profiles,
  };
}
