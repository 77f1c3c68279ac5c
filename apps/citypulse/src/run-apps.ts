import type { AppConfig } from '@citypulse/config';
import { startApps, type ProcessApp, type RunningApps } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { brokerApp } from '../../broker/src/index.js';
import { ingestApp } from '../../ingest/src/index.js';
import { alertsApp } from '../../alerts/src/index.js';
import { apiApp } from '../../api/src/index.js';

export type AppName = 'broker' | 'ingest' | 'alerts' | 'api';

const APPS: Record<AppName, ProcessApp> = { broker: brokerApp, ingest: ingestApp, alerts: alertsApp, api: apiApp };

/** The named apps, each once, in the order named. */
export function appsNamed(names: Iterable<AppName>): ProcessApp[] {
  return [...new Set(names)].map((name) => APPS[name]);
}

export interface Citypulse extends RunningApps {
  /** The bound MQTT port, when the broker runs in this process. */
  mqttPort?: number;
}

/**
 * The composition root: runs the chosen apps in one process. Production runs one app per
 * process (docker-compose.yml, each app's own main.ts); `npm start` and the integration tests run
 * all four together.
 */
export async function startCitypulse(
  config: AppConfig,
  apps: Iterable<AppName> = config.apps,
  options: { logger?: Logger } = {},
): Promise<Citypulse> {
  const running = await startApps(config, appsNamed(apps), options);
  return { ...running, mqttPort: running.ports.mqttPort };
}
