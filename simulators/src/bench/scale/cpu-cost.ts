import { roleOf, type ServiceRole } from './scale-layout.js';

/** A role whose CPU per reading is reported: the citypulse roles, the Redis servers, InfluxDB. */
export type CostRole = ServiceRole | 'redis' | 'influxd';

/** Summed into `total`: everything citypulse's reading path runs on except the storage. */
export const TOTAL_ROLES = ['broker', 'ingest', 'alerts', 'api', 'redis'] as const satisfies readonly CostRole[];

export type RoleFigures = Record<CostRole | 'total', number>;

/**
 * CPU per reading of each role, two ways. `gross`: all CPU the role's processes used in the
 * window ÷ readings — the metric. `net`: the same less what the processes use at rest
 * (`idleUsPerS`, measured with every device connected and nothing published) over the window —
 * the part that grows with readings rather than with time and process count. Net assumes the
 * at-rest activity goes on under load; what a process does only when idle (empty hand-off polls)
 * is then subtracted too, so net can understate: read it beside gross, never instead of it.
 */
export interface CpuCost {
  gross: RoleFigures;
  /** CPU per second of each role at rest, in µs/s (1,000,000 = one core busy). */
  idleUsPerS: RoleFigures;
  net: RoleFigures;
}

/** The role a watched process's CPU counts for; undefined for the load generator, which is not citypulse. */
export function costRoleOf(processName: string): CostRole | undefined {
  if (processName === 'generator') return undefined;
  if (processName.startsWith('redis:')) return 'redis';
  if (processName === 'influxd') return 'influxd';
  return roleOf(processName);
}

/** CPU ms per process summed per role, with `total` over TOTAL_ROLES. */
export function cpuMsByRole(perProcessCpuMs: Record<string, number>): RoleFigures {
  const byRole = Object.fromEntries([...TOTAL_ROLES, 'influxd', 'total'].map((role) => [role, 0])) as RoleFigures;
  for (const [name, ms] of Object.entries(perProcessCpuMs)) {
    const role = costRoleOf(name);
    if (role) byRole[role] += ms;
  }
  byRole.total = TOTAL_ROLES.reduce((sum, role) => sum + byRole[role], 0);
  return byRole;
}

/** Gross and net CPU µs per reading per role, from CPU ms in the loaded window and at rest. */
export function cpuCost(
  loaded: { cpuMs: RoleFigures; windowS: number; readings: number },
  idle: { cpuMs: RoleFigures; windowS: number },
): CpuCost {
  const readings = Math.max(1, loaded.readings);
  const roles = Object.keys(loaded.cpuMs) as Array<CostRole | 'total'>;
  const pick = (f: (role: CostRole | 'total') => number) =>
    Object.fromEntries(roles.map((role) => [role, round(f(role), 3)])) as RoleFigures;
  const idleUsPerS = (role: CostRole | 'total') => (idle.windowS > 0 ? (idle.cpuMs[role] * 1000) / idle.windowS : 0);
  return {
    gross: pick((role) => (loaded.cpuMs[role] * 1000) / readings),
    idleUsPerS: pick(idleUsPerS),
    net: pick((role) => (loaded.cpuMs[role] * 1000 - idleUsPerS(role) * loaded.windowS) / readings),
  };
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
