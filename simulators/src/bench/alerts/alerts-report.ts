import type { GitInfo, MachineInfo } from '../common/run-context.js';
import type { DeadmanScaleResult } from './deadman-scale.js';
import { formatRows } from '../common/text-table.js';

export interface AlertsReport {
  bench: 'alerts';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: Record<string, unknown>;
  results: {
    load: {
      readingsPublished: number;
      readingsAcked: number;
      publishPhaseReadingsPerSecond: number;
      maxRuleEvaluationBacklogJobs: number;
    };
    crossings: {
      expected: number;
      raised: number;
      /** Publish of the crossing reading → its 'raised' message on GET /alerts/stream. */
      latencyMs: { count: number; p50: number; p99: number; max: number };
      perCrossing: Array<{ deviceId: string; msIntoLoad: number; latencyMs: number }>;
    };
    flapping: {
      devices: number;
      episodesEach: number;
      minutesPerEpisode: number;
      readingsEach: number;
      alertsPerDevice: number[];
      expectedPerDevice: number;
    };
    deadman?: DeadmanScaleResult;
  };
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export function formatAlertsReport(r: AlertsReport): string {
  const { crossings: c, flapping: f, deadman: d, load } = r.results;
  const flapOk = f.alertsPerDevice.every((n) => n === f.expectedPerDevice);
  const rows: Array<[string, string]> = [
    [
      'load readings/s (PUBACKed, publish phase)',
      `${Math.round(load.publishPhaseReadingsPerSecond).toLocaleString('en-US')} ` +
        ` (${load.readingsAcked.toLocaleString('en-US')} readings; rule-evaluation backlog ` +
        `≤ ${load.maxRuleEvaluationBacklogJobs} jobs)`,
    ],
    [
      'alerts expected vs raised (crossings)',
      `${c.expected} vs ${c.raised}${c.expected === c.raised ? '' : '   <<<<<<<<<< MISMATCH'}`,
    ],
    [
      'publish → alert visible p50 / p99 / max',
      `${c.latencyMs.p50} / ${c.latencyMs.p99} / ${c.latencyMs.max} ms  (${c.latencyMs.count} alerts, on GET ` +
        `/alerts/stream)`,
    ],
    [
      'flapping: alerts per device',
      `${f.alertsPerDevice.join(', ')}  (expected ${f.expectedPerDevice} each: ${f.episodesEach} episodes ` +
        `× ${f.minutesPerEpisode} min of 1 s flaps, ${f.readingsEach} ` +
        `readings)${flapOk ? '' : '   <<<<<<<<<< STORM'}`,
    ],
  ];
  if (d) {
    rows.push(['deadman: silent devices watched', d.devices.toLocaleString('en-US')]);
    rows.push([
      'deadman: all raised after seeding',
      d.allRaisedAfterS === undefined
        ? `NOT ALL (${d.raised})`
        : `${d.allRaisedAfterS.toFixed(1)} s  (check every ${d.intervalMs / 1000} s)`,
    ]);
    rows.push([
      'deadman: steady-state check work',
      `${(d.checkBusyFraction * 100).toFixed(1)}% of one worker  (${d.checkJobs} check jobs of ≤1000 devices, ` +
        `mean ${d.checkJobMeanMs} ms; max backlog ${d.maxQueueDepth} jobs)`,
    ]);
  }
  return formatRows([
    `citypulse alerts bench — ${r.startedAt}, commit ${r.git.commit}${r.git.dirty ? ' (+ uncommitted changes)' : ''}`,
    ...rows,
  ]);
}
