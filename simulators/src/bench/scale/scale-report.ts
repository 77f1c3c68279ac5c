import type { GitInfo, MachineInfo } from '../common/run-context.js';
import { median } from '../common/median.js';
import type { CostRole, RoleFigures } from './cpu-cost.js';
import type { RedisMode } from './scale-options.js';
import type { ServiceRole } from './scale-layout.js';

export interface ScaleResult {
  k: number;
  /** 1-based round of --repeat this result was measured in. */
  round: number;
  redisMode: RedisMode;
  processes: Array<{ name: string; role: ServiceRole; apps: string }>;
  redisNodes: string[];
  serviceEnv: Record<string, string>;
  /** Simulated devices and the readings/s asked of them in this configuration (see --load). */
  devices: number;
  offeredRate: number;
  readingsPublished: number;
  readingsAcked: number;
  stored: number;
  /** PUBACKed − stored in InfluxDB. */
  lost: number;
  drained: boolean;
  /** The rule-evaluation queue emptied before the window closed. */
  rulesDrained: boolean;
  connectionsLost: number;
  endToEndS: number;
  endToEndReadingsPerSecond: number;
  publishPhaseReadingsPerSecond: number;
  ackLatencyMs: { p50: number; p99: number };
  /** Publish start → everything drained: the window CPU and Redis commands are counted over. */
  windowS: number;
  cpuMsByProcess: Record<string, number>;
  /** Gross: all CPU of the role's processes in the window ÷ readings (the issue's metric). */
  cpuUsPerReading: RoleFigures;
  /** At rest before the load (devices connected, nothing published), over `idleS`; see CpuCost. */
  idle: {
    seconds: number;
    cpuUsPerS: RoleFigures;
    cpuMsByProcess: Record<string, number>;
    redisCommandsPerS: number;
    redisByCommand: Record<string, number>;
  };
  /** Gross less the at-rest CPU rate × window, ÷ readings: the part that grows with readings. */
  netCpuUsPerReading: RoleFigures;
  redisCommands: { total: number; perReading: number; byCommand: Record<string, number> };
  pubsub: { messages: number; perReading: number };
  machineBusyPercent: number;
  /** % of a core used by processes the bench does not watch: large means noisy figures. */
  othersPercentOfCore: number;
  /** CPU µs one fixed unit of work cost the contention probe in the window (contention-probe.ts). */
  probeUsPerUnit?: number;
  /** With --profile: each process's top functions by self time. */
  profiles?: Array<{ process: string; file: string; summary: unknown }>;
}

/** One per-reading cost compared between the smallest K and another, in one Redis mode. */
export interface CostCheck {
  redisMode: RedisMode;
  cost: string;
  unit: string;
  baseK: number;
  k: number;
  base: number;
  value: number;
  /** (value − base) / base in %; undefined when the base is 0. */
  changePercent?: number;
  /** With --repeat: each round's figure; base and value are their medians. */
  rounds?: { base: number[]; value: number[] };
  ok: boolean;
  /** Shown to explain the others (CPU net of the at-rest rate), not part of the verdict. */
  informative?: boolean;
}

export interface ScaleVerdict {
  tolerancePercent: number;
  checks: CostCheck[];
  lost: number;
  /** Every role's gross cost within the tolerance on every Redis mode, and 0 lost. */
  ok: boolean;
  /**
   * The whole path's gross cost per reading (our processes and Redis together) within the
   * tolerance on every Redis mode, and 0 lost — the issue's "cost per reading flat"; `ok` is the
   * stricter per-role reading of it.
   */
  wholePathOk: boolean;
}

export interface ScaleReport {
  bench: 'scale';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: Record<string, unknown>;
  results: ScaleResult[];
  verdict: ScaleVerdict;
}

const CHECKED_ROLES = ['broker', 'ingest', 'alerts', 'redis', 'total'] as const;

/**
 * The costs compared, each with the change below which a difference is noise whatever the %. The
 * target is about the gross costs; the net ones only say how much of a growth is fixed cost.
 */
const CHECKED: Array<{
  cost: string;
  unit: string;
  read: (r: ScaleResult) => number;
  noise: number;
  informative?: boolean;
}> = [
  // /proc CPU time has 10 ms resolution; over a 20 s window of 160,000 readings that is 0.06 µs.
  ...CHECKED_ROLES.map((role) => ({
    cost: `cpu ${role}`,
    unit: 'µs/reading',
    read: (r: ScaleResult) => r.cpuUsPerReading[role],
    noise: 0.5,
  })),
  { cost: 'redis commands', unit: '/reading', read: (r) => r.redisCommands.perReading, noise: 0.02 },
  { cost: 'pub/sub messages', unit: '/reading', read: (r) => r.pubsub.perReading, noise: 0.02 },
  ...CHECKED_ROLES.map((role) => ({
    cost: `net cpu ${role}`,
    unit: 'µs/reading',
    read: (r: ScaleResult) => r.netCpuUsPerReading[role],
    noise: 0.5,
    informative: true,
  })),
];

/**
 * Per Redis mode, every checked cost at each K against the smallest K: flat when it grew by at
 * most `tolerancePercent` (or by less than its noise floor). A cost that fell is flat too — the
 * target is that adding processes does not make a reading dearer. With several rounds per
 * configuration (--repeat) each side is the median of its rounds. And nothing PUBACKed is lost.
 */
export function scaleVerdict(results: readonly ScaleResult[], tolerancePercent: number): ScaleVerdict {
  const checks: CostCheck[] = [];
  for (const mode of [...new Set(results.map((r) => r.redisMode))]) {
    const ofMode = results.filter((r) => r.redisMode === mode);
    const ks = [...new Set(ofMode.map((r) => r.k))].sort((a, b) => a - b);
    const at = (k: number) => ofMode.filter((r) => r.k === k);
    const [baseK, ...others] = ks;
    for (const k of others) {
      const compare = (cost: string, unit: string, read: (r: ScaleResult) => number, noise: number) => {
        const rounds = { base: at(baseK).map(read), value: at(k).map(read) };
        const [b, v] = [median(rounds.base), median(rounds.value)];
        const changePercent = b > 0 ? ((v - b) / b) * 100 : undefined;
        const ok = v - b <= noise || (changePercent !== undefined && changePercent <= tolerancePercent);
        const several = rounds.base.length > 1 || rounds.value.length > 1;
        return {
          redisMode: mode,
          cost,
          unit,
          baseK,
          k,
          base: b,
          value: v,
          changePercent,
          ok,
          ...(several ? { rounds } : {}),
        };
      };
      for (const c of CHECKED)
        checks.push({ ...compare(c.cost, c.unit, c.read, c.noise), ...(c.informative ? { informative: true } : {}) });
      // Each role's gross cost with the machine's own growth taken out: × (probe µs/unit at the
      // smallest K ÷ at K), per round. What is left is what the role's code adds per reading.
      const probes = (k: number) => at(k).map((r) => r.probeUsPerUnit ?? 0);
      if ([...probes(baseK), ...probes(k)].every((p) => p > 0)) {
        const baseProbe = median(probes(baseK));
        for (const role of CHECKED_ROLES) {
          const adjusted = (r: ScaleResult) =>
            r.k === baseK ? r.cpuUsPerReading[role] : (r.cpuUsPerReading[role] * baseProbe) / r.probeUsPerUnit!;
          checks.push({ ...compare(`cpu ${role} ÷ probe`, 'µs/reading', adjusted, 0.5), informative: true });
        }
      }
    }
  }
  const lost = results.reduce((sum, r) => sum + Math.max(0, r.lost), 0);
  const complete = lost === 0 && !results.some((r) => !r.drained);
  return {
    tolerancePercent,
    checks,
    lost,
    ok: complete && checks.every((c) => c.ok || c.informative),
    wholePathOk: complete && checks.filter((c) => c.cost === 'cpu total').every((c) => c.ok),
  };
}

const num = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The figures side by side, one column per configuration, then the checks and the verdict. */
export function formatScaleReport(report: ScaleReport): string {
  const results = report.results;
  const rounds = Math.max(...results.map((r) => r.round ?? 1));
  const header = ['', ...results.map((r) => `${r.redisMode} K=${r.k}${rounds > 1 ? ` #${r.round}` : ''}`)];
  const row = (label: string, pick: (r: ScaleResult) => string) => [label, ...results.map(pick)];
  const roles: CostRole[] = ['broker', 'ingest', 'alerts', 'api', 'redis', 'influxd'];
  const rows = [
    header,
    row('devices, offered readings/s', (r) => `${r.devices}, ${num(r.offeredRate, 0)}`),
    row('readings/s end to end', (r) => num(r.endToEndReadingsPerSecond, 0)),
    row('readings PUBACKed', (r) => num(r.readingsAcked, 0)),
    row('lost (PUBACKed − stored)', (r) => `${num(r.lost, 0)}${r.drained ? '' : ' (not drained)'}`),
    row('PUBACK p50 / p99 ms', (r) => `${num(r.ackLatencyMs.p50)} / ${num(r.ackLatencyMs.p99)}`),
    ...[...roles, 'total' as const].map((role) =>
      row(`cpu µs/reading ${role}`, (r) => num(r.cpuUsPerReading[role], 2)),
    ),
    ...[...roles, 'total' as const].map((role) =>
      row(`  at rest, µs/s ${role}`, (r) => num(r.idle.cpuUsPerS[role], 0)),
    ),
    ...[...roles, 'total' as const].map((role) =>
      row(`  net of rest ${role}`, (r) => num(r.netCpuUsPerReading[role], 2)),
    ),
    row('redis commands/s at rest', (r) => num(r.idle.redisCommandsPerS, 0)),
    row('redis commands/reading', (r) => num(r.redisCommands.perReading, 3)),
    row('pub/sub messages/reading', (r) => num(r.pubsub.perReading, 3)),
    row('machine busy % (others)', (r) => `${r.machineBusyPercent} (${r.othersPercentOfCore})`),
    row('contention probe µs/unit', (r) => (r.probeUsPerUnit === undefined ? 'n/a' : num(r.probeUsPerUnit, 1))),
  ];
  const widths = header.map((_, i) => Math.max(...rows.map((cells) => cells[i].length)));
  const table = rows
    .map((cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '))
    .join('\n');
  const v = report.verdict;
  const checkLines = v.checks.map((c) => {
    const change =
      c.changePercent === undefined ? 'n/a' : `${c.changePercent >= 0 ? '+' : ''}${num(c.changePercent)} %`;
    const spread = c.rounds
      ? `  [${c.rounds.base.map((x) => num(x, 2)).join(' ')} → ${c.rounds.value.map((x) => num(x, 2)).join(' ')}]`
      : '';
    return (
      `  ${c.ok ? 'ok  ' : c.informative ? 'over' : 'FAIL'} ${c.redisMode.padEnd(7)} ${c.cost.padEnd(17)} ` +
      `K=${c.baseK} ${num(c.base, 3)} → K=${c.k} ${num(c.value, 3)} ${c.unit} (${change})${spread}`
    );
  });
  const noisy = results.some((r) => r.othersPercentOfCore >= 20)
    ? '\n  <<< other processes were busy during a configuration: figures are noisy'
    : '';
  return [
    table,
    '',
    `target: each gross per-reading cost grows by at most ${v.tolerancePercent} % from the smallest K, and 0 lost` +
      (rounds > 1 ? ` (medians of ${rounds} rounds; each round's figure in brackets)` : ''),
    `(net cpu: less the at-rest rate × window, to show how much of a growth is fixed cost; ÷ probe: × the ` +
      `contention probe's µs/unit at the smallest K ÷ at K,`,
    ` the machine's own growth in the cost of fixed work taken out; "over" is not part of the verdict)`,
    ...checkLines,
    `verdict, whole path per reading (ours + Redis): ${v.wholePathOk ? 'MET' : 'NOT MET'} (lost ${v.lost})`,
    `verdict, every role on its own:                 ${v.ok ? 'MET' : 'NOT MET'}${noisy}`,
  ].join('\n');
}
