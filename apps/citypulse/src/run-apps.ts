import type { DynamicModule, Type } from '@nestjs/common';
import type { AppConfig } from '@citypulse/config';
import { bootstrap, type RunningApp } from '@citypulse/core';
import type { Logger } from '@citypulse/observability';
import { BrokerModule, MqttBrokerService } from '../../broker/src/index.js';
import { IngestModule } from '../../ingest/src/index.js';
import { AlertsModule } from '../../alerts/src/index.js';
import { ApiModule, configureHttp } from '../../api/src/index.js';

export type AppName = 'broker' | 'ingest' | 'alerts' | 'api';

const MODULES: Record<AppName, Type | DynamicModule> = {
  broker: BrokerModule,
  ingest: IngestModule,
  alerts: AlertsModule,
  api: ApiModule,
};

export interface Citypulse extends RunningApp {
  /** The bound MQTT port, when the broker runs in this process. */
  mqttPort?: number;
}

/**
 * The composition root: runs the chosen apps in one process. Production runs one app per
 * process (docker-compose.yml); `npm start` and the integration tests run all four together.
 */
export async function startCitypulse(config: AppConfig, apps: Iterable<AppName> = config.apps, options: { logger?: Logger } = {}): Promise<Citypulse> {
  const chosen = new Set(apps);
  const running = await bootstrap({
    config,
    logger: options.logger,
    modules: [...chosen].map((name) => MODULES[name]),
    http: chosen.has('api') ? configureHttp : undefined,
  });
  const mqttPort = chosen.has('broker') ? running.app.get(MqttBrokerService).port : undefined;
  return { ...running, mqttPort };
}
