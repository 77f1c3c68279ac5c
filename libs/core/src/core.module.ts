import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { createLogger, Metrics, type Logger } from '@citypulse/observability';
import { DeviceRegistry } from '@citypulse/registry';
import { LOGGER, REDIS } from './tokens.js';

/** Opens a Redis connection that fails fast instead of queueing commands forever when Redis is down. */
export function connectRedis(config: AppConfig, name: string): Redis {
  return new Redis(config.redis.url, { connectionName: `${config.instanceId}:${name}`, enableAutoPipelining: true });
}

/**
 * The resources every app shares within one process: configuration, the main Redis
 * connection, the logger, the metrics registry and the device registry. Global so the
 * all-in-one process builds each of them once.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(config: AppConfig, metrics = new Metrics(), logger = createLogger(config.logLevel, config.instanceId)): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: metrics },
        { provide: REDIS, useFactory: () => connectRedis(config, 'main') },
        {
          provide: DeviceRegistry,
          inject: [REDIS],
          useFactory: (redis: Redis) => new DeviceRegistry(redis, config.redis.prefix),
        },
      ],
      exports: [APP_CONFIG, LOGGER, Metrics, REDIS, DeviceRegistry],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export type { Logger };

/** BullMQ key prefix: under the deployment's Redis prefix, so tests and deployments stay apart. */
export function bullPrefix(config: AppConfig): string {
  return `${config.redis.prefix}:bull`;
}
