import type { ProcessLayout } from '../common/services.js';

/** What a process of the scale bench does; its CPU is summed per role. */
export type ServiceRole = 'broker' | 'ingest' | 'alerts' | 'api';

/** The roles scaled with K; the api is one process (it serves operators, not the reading path). */
export const SCALED_ROLES = ['broker', 'ingest', 'alerts'] as const satisfies readonly ServiceRole[];

/**
 * The split layout with K processes per scaled role, one app each (as in docker-compose):
 * `broker-1…K`, `ingest-1…K`, `alerts-1…K` (started together), then `api`: its /health is ready
 * only once a broker heartbeats.
 */
export function scaleLayout(k: number): ProcessLayout[] {
  const scaled = SCALED_ROLES.flatMap((role) =>
    Array.from({ length: k }, (_, i) => ({ name: `${role}-${i + 1}`, apps: role, wave: 0 })),
  );
  return [...scaled, { name: 'api', apps: 'api', wave: 1 }];
}

/** `broker-2` → `broker`. */
export function roleOf(processName: string): ServiceRole {
  return processName.replace(/-\d+$/, '') as ServiceRole;
}
