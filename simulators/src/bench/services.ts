import { join } from 'node:path';
import { ServiceProcess } from './service-process.js';

export interface ServicesOptions {
  /** Two processes (broker+api, ingest+alerts) as in production, instead of the all-in-one. */
  split: boolean;
  entry: string;
  /** CP_* shared by every process. */
  env: Record<string, string>;
  nodeArgs: string[];
  logDir: string;
  stamp: string;
}

export interface Services {
  /** The process devices and the bench talk to: it runs the broker and the API. */
  front: ServiceProcess;
  all: ServiceProcess[];
}

/**
 * The citypulse processes of a run. All-in-one is the local default (`npm start`); split runs the
 * broker and the ingest worker on separate event loops, which is how production scales (one app
 * per process) and shows what a second core buys. Each process gets the same Redis prefix and
 * database, so they form one deployment.
 */
export async function startServices(options: ServicesOptions, started: (service: ServiceProcess) => void): Promise<Services> {
  const layout: Array<{ name: string; apps: string }> = options.split
    ? [
        { name: 'broker+api', apps: 'broker,api' },
        { name: 'ingest+alerts', apps: 'ingest,alerts' },
      ]
    : [{ name: 'citypulse', apps: options.env.CP_APPS ?? 'broker,ingest,alerts,api' }];
  const all: ServiceProcess[] = [];
  for (const { name, apps } of layout) {
    const service = await ServiceProcess.start({
      name,
      apps,
      entry: options.entry,
      env: { ...options.env, CP_APPS: apps },
      nodeArgs: options.nodeArgs,
      logFile: join(options.logDir, `service-${options.stamp}-${name.replace('+', '-')}.log`),
    });
    started(service);
    all.push(service);
  }
  const front = all.find((s) => s.apiUrl && s.mqttPort);
  if (!front) throw new Error('no citypulse process runs both the broker and the API (check CP_APPS)');
  return { front, all };
}
