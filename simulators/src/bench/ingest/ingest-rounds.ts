import { log } from '../common/bench-log.js';
import { Cleanup } from '../common/cleanup.js';
import { writeJsonReport } from '../common/json-report.js';
import { median } from '../common/median.js';
import { compactTimestamp } from '../common/run-context.js';
import type { IngestOptions } from './ingest-options.js';
import type { IngestReport } from './report.js';

/** One ingest pass (ours, then the baselines beside it) as `--repeat` runs it. */
export type IngestPass = (
  options: IngestOptions,
  cleanup: Cleanup,
) => Promise<{ code: number; report: IngestReport; file: string }>;

/** What one round contributes to the verdict; every ratio is of figures measured in that round. */
export interface RoundFigures {
  startedAt: string;
  report: string;
  readingsPerSecond: number;
  lost: number;
  ackP99Ms: number;
  /** CPU per stored reading of citypulse's own processes (the service, not Redis or InfluxDB). */
  serviceCpuUs: number;
  redisCpuUs?: number;
  plainBridgePerSecond?: number;
  ratioToPlainBridge?: number;
  influxCeilingLinesPerSecond?: number;
  ratioToInfluxCeiling?: number;
}

export interface RoundsSummary {
  rounds: RoundFigures[];
  lost: number;
  /** Each figure's median over the rounds (the mean of the middle two for an even count). */
  median: {
    readingsPerSecond: number;
    ackP99Ms: number;
    serviceCpuUs: number;
    ratioToPlainBridge?: number;
    ratioToInfluxCeiling?: number;
  };
  /** Lowest and highest per-round ratio: how far one run alone could have been from the median. */
  range: { ratioToPlainBridge?: [number, number]; ratioToInfluxCeiling?: [number, number] };
}

export function roundFigures(report: IngestReport, file: string): RoundFigures {
  const { results: r, baselines: b } = report;
  const services = new Set(report.config.processes.map((p) => p.name));
  let serviceCpuUs = 0;
  for (const [name, us] of Object.entries(r.cpuUsPerReading)) if (services.has(name)) serviceCpuUs += us;
  return {
    startedAt: report.startedAt,
    report: file,
    readingsPerSecond: r.endToEndReadingsPerSecond,
    lost: r.lost,
    ackP99Ms: r.ackLatencyMs.p99,
    serviceCpuUs: Math.round(serviceCpuUs * 100) / 100,
    redisCpuUs: r.cpuUsPerReading.redis,
    plainBridgePerSecond: b?.plainBridge?.endToEndReadingsPerSecond,
    ratioToPlainBridge: b?.ratioToPlainBridge,
    influxCeilingLinesPerSecond: b?.influxCeiling?.linesPerSecond,
    ratioToInfluxCeiling: b?.ratioToInfluxCeiling,
  };
}

export function summariseRounds(rounds: RoundFigures[]): RoundsSummary {
  const of = (pick: (r: RoundFigures) => number | undefined) =>
    rounds.map(pick).filter((v): v is number => v !== undefined);
  const medianOf = (pick: (r: RoundFigures) => number | undefined) => {
    const values = of(pick);
    return values.length > 0 ? median(values) : undefined;
  };
  const rangeOf = (pick: (r: RoundFigures) => number | undefined): [number, number] | undefined => {
    const values = of(pick);
    return values.length > 0 ? [Math.min(...values), Math.max(...values)] : undefined;
  };
  return {
    rounds,
    lost: rounds.reduce((sum, r) => sum + r.lost, 0),
    median: {
      readingsPerSecond: median(of((r) => r.readingsPerSecond)),
      ackP99Ms: median(of((r) => r.ackP99Ms)),
      serviceCpuUs: median(of((r) => r.serviceCpuUs)),
      ratioToPlainBridge: medianOf((r) => r.ratioToPlainBridge),
      ratioToInfluxCeiling: medianOf((r) => r.ratioToInfluxCeiling),
    },
    range: {
      ratioToPlainBridge: rangeOf((r) => r.ratioToPlainBridge),
      ratioToInfluxCeiling: rangeOf((r) => r.ratioToInfluxCeiling),
    },
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (n: number | undefined) => (n === undefined ? '—' : `×${n.toFixed(2)}`);
const perSecond = (n: number | undefined) => (n === undefined ? '' : `${int(n)}/s `);

export function formatRoundsSummary(summary: RoundsSummary): string {
  const row = (label: string, f: Partial<RoundFigures>) =>
    [
      label.padEnd(9),
      `${int(f.readingsPerSecond ?? 0).padStart(7)}/s`,
      `bridge ${perSecond(f.plainBridgePerSecond)}${ratio(f.ratioToPlainBridge)}`.padEnd(24),
      `ceiling ${perSecond(f.influxCeilingLinesPerSecond)}${ratio(f.ratioToInfluxCeiling)}`.padEnd(26),
      `service CPU ${f.serviceCpuUs?.toFixed(2) ?? '—'} µs`.padEnd(22),
      `PUBACK p99 ${f.ackP99Ms?.toFixed(0) ?? '—'} ms`,
      f.lost === undefined ? '' : `  lost ${int(f.lost)}`,
    ].join('  ');
  const { median: m, range } = summary;
  const spread = (r: [number, number] | undefined) => (r ? `${ratio(r[0])}–${ratio(r[1])}` : '—');
  return [
    `citypulse ingest bench, ${summary.rounds.length} rounds (each: ours, then the baselines beside it)`,
    ...summary.rounds.map((r, i) => row(`round ${i + 1}`, r)),
    row('median', m),
    `per-round ratio range: plain bridge ${spread(range.ratioToPlainBridge)}, ` +
      `InfluxDB ceiling ${spread(range.ratioToInfluxCeiling)}`,
    `lost over all rounds: ${int(summary.lost)}`,
  ].join('\n');
}

/**
 * `--repeat N`: N whole passes, one after another, each with its own baselines, so each ratio is
 * of figures measured minutes apart on the same machine — and the medians say what one run alone
 * cannot (the same commit measured ×0.88 and ×0.97 the plain bridge in two runs half an hour apart).
 * Each pass cleans up after itself before the next starts (its database, keys, processes).
 */
export async function runRounds(options: IngestOptions, cleanup: Cleanup, pass: IngestPass): Promise<number> {
  const startedAt = new Date();
  const rounds: RoundFigures[] = [];
  for (let round = 1; round <= options.repeat; round++) {
    log(`round ${round} of ${options.repeat}`);
    const roundCleanup = new Cleanup();
    const step = `round ${round}`;
    cleanup.add(step, () => roundCleanup.runAll());
    try {
      const { code, report, file } = await pass(options, roundCleanup);
      // A round that lost readings or never drained fails the run: its own report says why.
      if (code !== 0) return code;
      rounds.push(roundFigures(report, file));
    } finally {
      await roundCleanup.runAll();
      cleanup.done(step);
    }
  }
  const summary = summariseRounds(rounds);
  console.log(`\n${formatRoundsSummary(summary)}\n`);
  const report = { bench: 'ingest-rounds', startedAt: startedAt.toISOString(), repeat: options.repeat, summary };
  console.log(
    `rounds report written to ${writeJsonReport('ingest-rounds', report, options.outDir, compactTimestamp(startedAt))}`,
  );
  return summary.lost > 0 ? 1 : 0;
}
