import { join } from 'node:path';
import { ServiceProcess } from './service-process.js';

/** One citypulse process of a run: its name in reports and the apps it runs (CP_APPS). */
export interface ProcessLayout {
  name: string;
  apps: string;
  /**
   * Processes of the same wave start at once, after every process of lower waves; @defaultValue its index in the layout
   * (one after the other)
   */
  wave?: number;
}

export interface ServicesOptions {
  /**
   * The processes: `split` is broker+api and ingest+alerts as in production, `all-in-one` the
   * local default (CP_APPS of `env`, else every app), or a list of its own (e.g. the broker alone,
   * so its memory is the broker's only).
   */
  layout: 'all-in-one' | 'split' | ProcessLayout[];
  entry: string;
  /** CP_* shared by every process. */
  env: Record<string, string>;
  nodeArgs: string[];
  logDir: string;
  stamp: string;
}

export interface Services {
  /** The process that serves the HTTP API. */
  api: ServiceProcess;
  /** The process devices connect to. */
  broker: ServiceProcess;
  all: ServiceProcess[];
}

/**
 * The citypulse processes of a run. All-in-one is the local default (`npm start`); split runs the
 * broker and the ingest worker on separate event loops, which is how production scales (one app
 * per process) and shows what a second core buys. Each process gets the same Redis prefix and
 * database, so they form one deployment. `started` hears of each process as soon as it runs, so
 * the caller can arrange its stop before the next one starts.
 */
export async function startServices(
  options: ServicesOptions,
  started: (service: ServiceProcess) => void,
): Promise<Services> {
  const layout: ProcessLayout[] =
    options.layout === 'split'
      ? [
          { name: 'broker+api', apps: 'broker,api' },
          { name: 'ingest+alerts', apps: 'ingest,alerts' },
        ]
      : options.layout === 'all-in-one'
        ? [{ name: 'citypulse', apps: options.env.CP_APPS ?? 'broker,ingest,alerts,api' }]
        : options.layout;
  const all: ServiceProcess[] = [];
  // Processes of one wave start together (halves the wait on two cores); waves start in order.
  const waveOf = layout.map((p, i) => p.wave ?? i);
  for (const wave of [...new Set(waveOf)].sort((a, b) => a - b)) {
    const starting = layout
      .filter((_, i) => waveOf[i] === wave)
      .map(async ({ name, apps }) => {
        const service = await ServiceProcess.start({
          name,
          apps,
          entry: options.entry,
          env: { ...options.env, CP_APPS: apps },
          nodeArgs: options.nodeArgs,
          logFile: join(options.logDir, `service-${options.stamp}-${name.replace(/\W+/g, '-')}.log`),
        });
        started(service);
        return service;
      });
    const outcomes = await Promise.allSettled(starting);
    // In layout order, whatever order they became ready in.
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') all.push(outcome.value);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
  const api = all.find((s) => s.apiUrl);
  const broker = all.find((s) => s.mqttPort);
  if (!api || !broker) throw new Error('no citypulse process runs the API, or none the broker (check CP_APPS)');
  return { api, broker, all };
}
