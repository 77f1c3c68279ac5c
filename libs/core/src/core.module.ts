import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@citypulse/config';
import { createLogger, Metrics, type Logger } from '@citypulse/observability';
import { connectRedis, type RedisClient } from '@citypulse/redis';
import { LOGGER, REDIS } from './tokens.js';
import { StoresModule } from './stores.module.js';

/**
 * The resources every app shares within one process: configuration, the main Redis
 * connection, the logger, the metrics registry, and the stores on that connection (StoresModule).
 * Global so the all-in-one process builds each of them once.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  static forRoot(
    config: AppConfig,
    metrics = new Metrics(),
    logger = createLogger(config.logLevel, config.instanceId),
  ): DynamicModule {
    return {
      module: CoreModule,
      imports: [StoresModule],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: metrics },
        { provide: REDIS, useFactory: () => connectRedis(config, 'main') },
      ],
      exports: [APP_CONFIG, LOGGER, Metrics, REDIS],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

export type { Logger };
