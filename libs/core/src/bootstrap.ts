import 'reflect-metadata';
import {
  Module,
  type DynamicModule,
  type INestApplication,
  type INestApplicationContext,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { AppConfig } from '@citypulse/config';
import type { RedisClient } from '@citypulse/redis';
import { Metrics, type Logger } from '@citypulse/observability';
import { CoreModule } from './core.module.js';
import { REDIS } from './tokens.js';
import { boundPort, startHealthServer } from './health-server.js';

export interface BootstrapOptions {
  config: AppConfig;
  /** The app modules to run in this process. */
  modules: Array<Type | DynamicModule>;
  /** Present when this process serves HTTP: applies the HTTP-wide settings before listening. */
  http?: (app: INestApplication) => void;
  /** Nest's own log levels (citypulse logs through pino). @defaultValue ['error', 'warn'] */
  nestLogLevels?: Array<'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal'>;
  /** The process's root logger. @defaultValue pino to stdout at CP_LOG_LEVEL */
  logger?: Logger;
}

export interface RunningApp {
  app: INestApplicationContext;
  /** The bound HTTP port, when serving HTTP. */
  httpPort?: number;
  /** The bound health/metrics port, when not serving the API. */
  healthPort?: number;
  close(): Promise<void>;
}

/** Builds one Nest process from app modules on top of the shared CoreModule, and starts it. */
export async function bootstrap(options: BootstrapOptions): Promise<RunningApp> {
  const { config } = options;
  @Module({ imports: [CoreModule.forRoot(config, undefined, options.logger), ...options.modules] })
  class ProcessRoot {}

  const logger = options.nestLogLevels ?? ['error', 'warn'];
  if (!options.http) {
    const app = await NestFactory.createApplicationContext(ProcessRoot, { logger });
    await app.init();
    const health = await startHealthServer(
      config.health.port,
      config.http.host,
      app.get<RedisClient>(REDIS),
      app.get(Metrics),
    );
    const close = async () => {
      health.close();
      await app.close();
    };
    return { app, healthPort: boundPort(health), close };
  }
  const app = await NestFactory.create(ProcessRoot, { logger });
  options.http(app);
  await app.listen(config.http.port, config.http.host);
  const httpPort = ((app.getHttpServer() as Server).address() as AddressInfo).port;
  return { app, httpPort, close: () => app.close() };
}
