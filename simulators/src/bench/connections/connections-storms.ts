import { join } from 'node:path';
import { scrapeMetrics } from '../common/metrics-scrape.js';
import { ServiceProcess } from '../common/service-process.js';

/**
 * The reconnect storms of the connections bench, each after all devices have disconnected:
 * - `cached`: back to the same broker process, which remembers every secret it verified;
 * - `restart`: the broker process is stopped and a new one started (empty memory) — what a
 *   broker upgrade or crash costs;
 * - `move`: a second broker process is started and every device connects to it instead — what
 *   the others pay when a broker dies behind the load balancer.
 * With login proofs (CP_LOGIN_PROOF_TTL_S) none of them should need scrypt.
 */
export const STORMS = ['cached', 'restart', 'move'] as const;
export type Storm = (typeof STORMS)[number];

export const STORM_LABELS: Record<Storm, string> = {
  cached: 'reconnect to the same broker (secrets in its memory)',
  restart: 'reconnect after the broker process restarted',
  move: 'reconnect of every device to a second broker process',
};

export interface BrokerStarter {
  entry: string;
  env: Record<string, string>;
  nodeArgs: string[];
  logDir: string;
  stamp: string;
}

/** A broker process alone (CP_APPS=broker), as the bench's first one. */
export function startBroker(name: string, options: BrokerStarter): Promise<ServiceProcess> {
  return ServiceProcess.start({
    name,
    apps: 'broker',
    entry: options.entry,
    env: { ...options.env, CP_APPS: 'broker' },
    nodeArgs: options.nodeArgs,
    logFile: join(options.logDir, `service-${options.stamp}-${name.replace(/\W+/g, '-')}.log`),
  });
}

/** citypulse_device_secret_checks_total by how (memory, proof, scrypt) of one broker process. */
export async function secretChecks(broker: ServiceProcess, token: string): Promise<Record<string, number>> {
  const samples = await scrapeMetrics([broker.metricsUrl], token);
  const checks: Record<string, number> = {};
  for (const s of samples)
    if (s.name === 'citypulse_device_secret_checks_total') checks[s.labels.by] = (checks[s.labels.by] ?? 0) + s.value;
  return checks;
}

/** What a pass cost: the change of each counter. */
export function checksSince(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([by, n]): [string, number] => [by, n - (before[by] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
}
