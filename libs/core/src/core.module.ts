import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { createLogger, Metrics, type Logger } from '@citypulse/observability';
import { DeviceRegistry } from '@citypulse/registry';
import { connectRedis, type RedisClient } from '@citypulse/redis';
import { LOGGER, REDIS } from './tokens.js';

/**
 * The resources every app shares within one process: configuration, the main Redis
 * connection, the logger, the metrics registry and the device registry. Global so the
 * all-in-one process builds each of them once.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

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
          useFactory: (redis: RedisClient) => new DeviceRegistry(redis, config.redis.prefix),
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
