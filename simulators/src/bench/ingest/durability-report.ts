import type { HandoffDurability } from '@citypulse/handoff';
import type { LevelRedis } from './durability-redis.js';
import type { LoadRates } from '../common/measured-load.js';
import type { GitInfo, MachineInfo } from '../common/run-context.js';
import { formatRows, type Row } from '../common/text-table.js';

/** One level's pass: the same load as every other pass, against a service configured for the level. */
export interface DurabilityPass extends LoadRates {
  level: HandoffDurability;
  redis: LevelRedis['servers'];
  /** The service's CP_* (token left out). */
  serviceEnv: Record<string, string>;
  readingsPublished: number;
  readingsAcked: number;
  stored: number;
  drained: boolean;
  connectionsLost: number;
  /**
   * PUBACK latency of the publishes sent after the warm-up (`count` of them: 0 when the warm-up took the whole run).
   */
  ackLatencyMs: { count: number; p50: number; p99: number; max: number };
  /** citypulse_handoff_replica_timeouts_total: hand-off writes too few replicas confirmed in time (no PUBACK). */
  replicaTimeouts: number;
  /**
   * WAIT commands the service's Redis ran in the pass: one per partition written per event-loop turn, never per
   * reading.
   */
  waitCalls: number;
  redisCommandsPerReading: number;
  cpuPercentOfCore: Record<string, number>;
  machineBusyPercent: number;
}

/** A pass beside the `everysec` pass of the same run: level ÷ everysec. */
export interface PassVsEverysec {
  readingsAcked: number;
  endToEnd: number;
  /** PUBACK p99 latency, level ÷ everysec (above 1: slower); null when either pass has no PUBACK after its warm-up. */
  ackP99: number | null;
}

export interface DurabilityReport {
  bench: 'ingest-durability';
  startedAt: string;
  git: GitInfo;
  machine: MachineInfo;
  config: Record<string, unknown>;
  passes: Array<DurabilityPass & { vsEverysec?: PassVsEverysec }>;
  lost: number;
}

/** Each pass with its ratios to the `everysec` pass (none when there is no everysec pass or it PUBACKed nothing). */
export function compareWithEverysec(passes: readonly DurabilityPass[]): DurabilityReport['passes'] {
  const base = passes.find((p) => p.level === 'everysec');
  const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : 0);
  return passes.map((pass) =>
    base && base.readingsAckedPerS > 0
      ? {
          ...pass,
          vsEverysec: {
            readingsAcked: ratio(pass.readingsAckedPerS, base.readingsAckedPerS),
            endToEnd: ratio(pass.endToEndPerS, base.endToEndPerS),
            ackP99:
              pass.ackLatencyMs.count > 0 && base.ackLatencyMs.count > 0
                ? ratio(pass.ackLatencyMs.p99, base.ackLatencyMs.p99)
                : null,
          },
        }
      : { ...pass },
  );
}

export function formatDurabilityReport(report: DurabilityReport): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  const rows: Row[] = [
    `hand-off durability levels: the same load against a fresh service per level, each on private ` +
      `redis-servers${report.config?.durabilityRedis === 'cluster' ? ' (a Redis Cluster)' : ''}`,
  ];
  for (const p of report.passes) {
    const servers = Object.entries(p.redis)
      .map(([name, s]) => `${name} appendfsync ${s.appendfsync}${s.replicaOf ? ` of :${s.replicaOf}` : ''}`)
      .join('; ');
    const p99 = p.vsEverysec?.ackP99 == null ? '' : `, p99 ×${p.vsEverysec.ackP99.toFixed(2)}`;
    const vs =
      p.vsEverysec && p.level !== 'everysec'
        ? `   ÷ everysec: ${p.vsEverysec.readingsAcked.toFixed(2)} ` +
          `PUBACKed, ${p.vsEverysec.endToEnd.toFixed(2)} end to end${p99}`
        : '';
    const l = p.ackLatencyMs;
    const connectionsLost = p.connectionsLost ? `, ${p.connectionsLost} connections lost` : '';
    rows.push(
      `${p.level} (${servers})`,
      ['readings/s', `${n(p.readingsAckedPerS)} PUBACKed, ${n(p.endToEndPerS)} end to end${vs}`],
      [
        'PUBACK latency',
        l.count > 0
          ? `p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`
          : 'none after the warm-up (make --duration longer than --warmup)',
      ],
      [
        'readings',
        `${n(p.readingsPublished)} published, ${n(p.readingsAcked)} PUBACKed, ${n(p.stored)} ` +
          `stored, ${p.lost} lost${p.drained ? '' : ' (NOT DRAINED)'}${connectionsLost}`,
      ],
      [
        'Redis',
        `${p.redisCommandsPerReading.toFixed(3)} commands/reading, ${n(p.waitCalls)} ` +
          `WAIT${p.replicaTimeouts ? `, ${p.replicaTimeouts} replica timeouts (no PUBACK)` : ''}`,
      ],
      [
        'CPU % of a core',
        `${Object.entries(p.cpuPercentOfCore)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')} (machine ${p.machineBusyPercent}% busy)`,
      ],
    );
  }
  return formatRows(rows);
}
