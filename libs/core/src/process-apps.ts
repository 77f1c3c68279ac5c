import type { DynamicModule, INestApplication, INestApplicationContext, Type } from '@nestjs/common';
import type { AppConfig } from '@citypulse/config';
import type { Logger } from '@citypulse/observability';
import { bootstrap, type RunningApp } from './bootstrap.js';

/** One app a process can run (each app exports its own), with what the process needs to know of it. */
export interface ProcessApp {
  /** Named in the process's "citypulse started" line. */
  name: string;
  module: Type | DynamicModule;
  /** The app serves HTTP: applies its HTTP-wide settings before the process listens. */
  http?: (app: INestApplication) => void;
  /** Ports the app listens on besides HTTP and health (the broker's MQTT port), read once it runs. */
  ports?: (app: INestApplicationContext) => Record<string, number | undefined>;
}

export interface RunningApps extends RunningApp {
  /** Every app's own ports (ProcessApp.ports), e.g. `mqttPort`. */
  ports: Record<string, number | undefined>;
}

/** Runs the given apps together in this process (one Nest app on the shared CoreModule). */
export async function startApps(
  config: AppConfig,
  apps: readonly ProcessApp[],
  options: { logger?: Logger } = {},
): Promise<RunningApps> {
  const running = await bootstrap({
    config,
    logger: options.logger,
    modules: apps.map((app) => app.module),
    http: apps.find((app) => app.http)?.http,
  });
  const ports: Record<string, number | undefined> = {};
  for (const app of apps) Object.assign(ports, app.ports?.(running.app));
  return { ...running, ports };
}
