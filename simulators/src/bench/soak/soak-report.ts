import type { GitInfo, MachineInfo } from '../common/run-context.js';
import type { SoakSample } from './soak-sampler.js';
import { trendOf, type Tolerance, type Trend } from './soak-trend.js';
import { formatRows, type Row } from '../common/text-table.js';

/** How much each kind of series may grow over the last two thirds of a soak and still be flat. */
export const SOAK_TOLERANCES: Record<'rssMb' | 'lagP99Ms' | 'depth', Tolerance> = {
  // Judged on the mean of once-a-second RSS readings per sample. The V8 heap is shown but not
  // judged: read once a minute it is a point on a GC saw-tooth (±45 MiB here), mostly noise; a
  // leak in it shows in RSS as well.
  rssMb: { relative: 0.1, absolute: 16 },
  // Lag is sampled at 10 ms resolution; a few ms either way is noise.
  lagP99Ms: { relative: 0.5, absolute: 10 },
  // Hand-off entries and BullMQ jobs: the pipeline keeps a few batches in flight at this rate.
  depth: { relative: 0.5, absolute: 1000 },
};

export interface SoakCheck {
  series: string;
  unit: string;
  trend: Trend;
}

export interface SoakVerdict {
  checks: SoakCheck[];
  flat: boolean;
  lost: number;
  ok: boolean;
}

export interface SoakReport {
  bench: 'soak';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: Record<string, unknown>;
  samples: SoakSample[];
  results: {
    readingsPublished: number;
    readingsAcked: number;
    /** Counted in InfluxDB at the end. */
    stored: number;
    lost: number;
    drained: boolean;
    drainS?: number;
    connectionsLost: number;
    meanReadingsPerSecond: number;
    ackLatencyMs: { p50: number; p99: number; max: number };
    cpuPercentOfCore: Record<string, number>;
    machineBusyPercent: number;
  };
  verdict: SoakVerdict;
}

/** Every series the soak watches, each judged flat or not, and the run's verdict: flat and 0 lost. */
export function soakVerdict(samples: readonly SoakSample[], lost: number): SoakVerdict {
  const checks: SoakCheck[] = [];
  const processNames = [...new Set(samples.flatMap((s) => Object.keys(s.processes)))];
  const series = (pick: (s: SoakSample) => number | undefined) =>
    samples.flatMap((s) => {
      const value = pick(s);
      return value === undefined || Number.isNaN(value) ? [] : [{ atS: s.atS, value }];
    });
  for (const name of processNames) {
    checks.push({
      series: `${name} RSS`,
      unit: 'MiB',
      trend: trendOf(
        series((s) => s.processes[name]?.rssMb),
        SOAK_TOLERANCES.rssMb,
      ),
    });
    checks.push({
      series: `${name} event-loop lag p99`,
      unit: 'ms',
      trend: trendOf(
        series((s) => s.processes[name]?.lagP99Ms),
        SOAK_TOLERANCES.lagP99Ms,
      ),
    });
  }
  checks.push({
    series: 'hand-off stream entries',
    unit: 'entries',
    trend: trendOf(
      series((s) => s.handoff.streamEntries),
      SOAK_TOLERANCES.depth,
    ),
  });
  checks.push({
    series: 'hand-off pending entries',
    unit: 'entries',
    trend: trendOf(
      series((s) => s.handoff.pendingEntries),
      SOAK_TOLERANCES.depth,
    ),
  });
  const queueNames = [...new Set(samples.flatMap((s) => Object.keys(s.queueDepths)))];
  for (const queue of queueNames)
    checks.push({
      series: `queue ${queue} depth`,
      unit: 'jobs',
      trend: trendOf(
        series((s) => s.queueDepths[queue]),
        SOAK_TOLERANCES.depth,
      ),
    });
  const flat = checks.every((c) => c.trend.flat);
  return { checks, flat, lost, ok: flat && lost === 0 };
}

const n = (v: number | undefined, digits = 0) =>
  v === undefined ? '-' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Column {
  title: string;
  cell: (sample: SoakSample) => string;
}

/** The columns a reader scans down for a climb: per process RSS, heap and lag; the hand-off stream; each queue. */
function sampleColumns(processNames: readonly string[], queueNames: readonly string[]): Column[] {
  return [
    { title: 'min', cell: (s) => (s.atS / 60).toFixed(1) },
    { title: 'readings/s', cell: (s) => n(s.readingsPerSecond) },
    ...processNames.map((p) => ({
      title: `${p} RSS mean / max, heap MiB; lag p99 / max ms`,
      cell: (s: SoakSample) => {
        const x = s.processes[p] ?? {};
        return (
          `${n(x.rssMb, 1)} / ${n(x.rssMaxMb, 1)}, ${n(x.heapUsedMb, 1)}; ${n(x.lagP99Ms, 1)} ` +
          `/ ${n(x.lagMaxMs, 1)}`
        );
      },
    })),
    { title: 'stream / pending', cell: (s) => `${n(s.handoff.streamEntries)} / ${n(s.handoff.pendingEntries)}` },
    ...queueNames.map((q) => ({ title: q, cell: (s: SoakSample) => n(s.queueDepths[q]) })),
  ];
}

function line(cells: readonly string[], columns: readonly Column[]): string {
  return '  ' + cells.map((cell, i) => cell.padStart(Math.max(columns[i].title.length, 6))).join('  ');
}

export function formatSampleHeader(processNames: readonly string[], queueNames: readonly string[]): string {
  const columns = sampleColumns(processNames, queueNames);
  return line(
    columns.map((c) => c.title),
    columns,
  );
}

export function formatSampleRow(
  sample: SoakSample,
  processNames: readonly string[],
  queueNames: readonly string[],
): string {
  const columns = sampleColumns(processNames, queueNames);
  return line(
    columns.map((c) => c.cell(sample)),
    columns,
  );
}

export function formatSoakReport(report: SoakReport): string {
  const processNames = Object.keys(report.samples[0]?.processes ?? {});
  const queueNames = [...new Set(report.samples.flatMap((s) => Object.keys(s.queueDepths)))];
  const r = report.results;
  const v = report.verdict;
  const c = report.config as { rate: number; durationS: number; devices: number; sampleS: number };
  const drained = r.drained ? `  (drained ${r.drainS?.toFixed(1)} s after the load stopped)` : '  NOT DRAINED';
  const rows: Row[] = [
    `citypulse soak — ${report.startedAt}, ` +
      `commit ${report.git.commit}${report.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    `machine: ${report.machine.cores} cores (${report.machine.cpuModel}), ${n(report.machine.memoryMb)} MiB, ` +
      `node ${report.machine.node}`,
    `config: ${c.devices} meters, ${n(c.rate)} readings/s for ${c.durationS / 60} min, a sample ` +
      `every ${c.sampleS} s; citypulse as broker+api and ingest+alerts processes`,
    '',
    formatSampleHeader(processNames, queueNames),
    ...report.samples.map((s) => formatSampleRow(s, processNames, queueNames)),
    '  RSS mean / max: of the once-a-second readings since the previous sample; heap: at the sample; lag: ' +
      'prom-client’s',
    '  histogram since the previous sample (10 ms resolution); stream / pending: hand-off entries not yet ' +
      'stored / read but unacknowledged',
    '',
    ['readings PUBACKed / stored (InfluxDB count)', `${n(r.readingsAcked)} / ${n(r.stored)}${drained}`],
    ['LOST (PUBACKed − stored)', r.lost === 0 ? '0' : `${n(r.lost)}   <<<<<<<<<< ACKNOWLEDGED READINGS LOST`],
    ['mean readings/s over the run', n(r.meanReadingsPerSecond)],
    [
      'publish → PUBACK p50 / p99 / max',
      `${n(r.ackLatencyMs.p50, 1)} / ${n(r.ackLatencyMs.p99, 1)} / ${n(r.ackLatencyMs.max, 1)} ms`,
    ],
    [
      'CPU over the run (% of one core)',
      `${Object.entries(r.cpuPercentOfCore)
        .map(([k, p]) => `${k} ${p}%`)
        .join(', ')}; machine ${r.machineBusyPercent}% busy`,
    ],
    ...(r.connectionsLost > 0 ? [['connections lost', String(r.connectionsLost)] as Row] : []),
    '',
    'flatness: least-squares slope over the last 2/3 of the samples; mean of the first vs the last 5 samples; ' +
      'the growth that slope',
    'projects over the last 2/3 against what is allowed (10 % of the level or 16 MiB for RSS means, 50 % or ' +
      '10 ms for lag p99, 50 % or 1,000 for depths)',
    ...v.checks.map((check): Row => [
      `  ${check.series}`,
      `${sign(check.trend.slopePerMinute)} ${check.unit}/min, ${n(check.trend.firstMean, 1)} ` +
        `→ ${n(check.trend.lastMean, 1)} ${check.unit}; grew ${n(check.trend.projectedGrowth, 1)} ` +
        `of ${n(check.trend.allowedGrowth, 1)} allowed  ${check.trend.flat ? 'flat' : '<<< CLIMBING'}`,
    ]),
    '',
    [
      'VERDICT',
      `${v.flat ? 'flat' : 'NOT FLAT'}, ${v.lost === 0 ? '0 lost' : `${n(v.lost)} LOST`}  →  ${v.ok ? 'PASS' : 'FAIL'}`,
    ],
  ];
  return formatRows(rows);
}

function sign(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(v !== 0 && Math.abs(v) < 0.1 ? 3 : 2)}`;
}
